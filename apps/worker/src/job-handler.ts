import type { CatalogDb, JobRow } from '#catalog';
import type { JobKind, JobPayload } from '#jobs';
import type { Logger } from 'pino';

export interface JobContext<K extends JobKind> {
  job: JobRow;
  payload: JobPayload<K>;
  /** 1 on the first run; a retry after a crash or a transient failure sees 2, 3... */
  attempt: number;
  /** Aborted when a cancellation is requested; long work should pass it down. */
  signal: AbortSignal;
  /** Records progress (throttled writes); throws JobCanceledError once canceled. */
  progress(phase: string, done: number, total: number | null): Promise<void>;
  log: Logger;
  /**
   * Marks the job succeeded inside the handler's own transaction, so its catalog writes and
   * its success commit together (a retry after a crash then finds it finished). False when
   * the job was finished by someone else (a cancel).
   */
  succeedWithin(db: CatalogDb, result: Record<string, unknown>): Promise<boolean>;
  /**
   * Says the job's catalog writes have committed and what remains (deploying) must run to
   * its end: from here a cancel request no longer stops the job or discards its result.
   */
  committed(): void;
}

export interface JobHandler<K extends JobKind = JobKind> {
  readonly kind: K;
  /** Returns the job's result, stored on the job record. */
  run(context: JobContext<K>): Promise<Record<string, unknown>>;
}

export const JOB_HANDLERS = Symbol('JOB_HANDLERS');
