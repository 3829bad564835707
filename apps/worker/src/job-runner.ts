import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Worker, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { JobRepository, type CatalogDb, type JobRow } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError, JobCanceledError } from '#core';
import { ALL_JOB_KINDS, ProgressTracker, queueNameOf, redisConnectionFromUrl, type JobKind, type QueueJobData } from '#jobs';
import { LOGGER, problemFromError } from '#observability';
import { WebhookDispatcher } from '#webhooks';
import { JOB_HANDLERS, type JobHandler } from './job-handler.js';

const PROGRESS_WRITE_INTERVAL_MS = 250;
const CANCEL_POLL_INTERVAL_MS = 500;

/**
 * Runs queued jobs: one BullMQ worker per job kind, each job through its one handler.
 * The job record decides: a job already terminal is skipped (idempotent redelivery), a
 * cancel request stops it, permanent errors fail it at once, transient ones are retried
 * by BullMQ until the attempts are spent.
 */
@Injectable()
export class JobRunner implements OnModuleInit, OnApplicationShutdown {
  private readonly workers: Worker<QueueJobData>[] = [];
  private readonly handlers = new Map<JobKind, JobHandler>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(JOB_HANDLERS) handlers: JobHandler[],
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(WebhookDispatcher) private readonly webhooks: WebhookDispatcher,
  ) {
    for (const handler of handlers) {
      if (this.handlers.has(handler.kind)) throw new Error(`two handlers for job kind ${handler.kind}`);
      this.handlers.set(handler.kind, handler);
    }
    const missing = ALL_JOB_KINDS.filter((kind) => !this.handlers.has(kind));
    if (missing.length > 0) throw new Error(`no handler for job kinds: ${missing.join(', ')}`);
  }

  onModuleInit(): void {
    const connection = redisConnectionFromUrl(this.config.redis.url);
    for (const kind of ALL_JOB_KINDS) {
      const worker = new Worker<QueueJobData>(queueNameOf(kind), (job) => this.process(kind, job), {
        connection,
        prefix: this.config.redis.queuePrefix,
        concurrency: this.config.jobs.concurrency,
        lockDuration: this.config.jobs.lockDurationMs,
        stalledInterval: this.config.jobs.stalledIntervalMs,
        maxStalledCount: this.config.jobs.maxStalledCount,
      });
      worker.on('error', (err) => this.log.error({ err, queue: queueNameOf(kind) }, 'queue worker error'));
      this.workers.push(worker);
    }
    this.log.info({ kinds: ALL_JOB_KINDS, concurrency: this.config.jobs.concurrency }, 'worker listening for jobs');
  }

  /**
   * Stops taking jobs and waits for running ones up to a bound; past it the process may
   * exit, and BullMQ's stalled-job check hands the unfinished jobs to another worker.
   */
  async onApplicationShutdown(): Promise<void> {
    const graceful = Promise.all(this.workers.map((w) => w.close()));
    const bound = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
    await Promise.race([graceful, bound]);
  }

  private async process(kind: JobKind, queued: Job<QueueJobData>): Promise<void> {
    const jobId = queued.data.jobId;
    const log = this.log.child({ jobId, kind });
    const row = await this.jobs.markRunning(jobId);
    if (!row) {
      log.info('job is already finished or gone; nothing to do');
      return;
    }
    if (row.cancel_requested) {
      await this.finish(row, 'canceled', {});
      return;
    }
    log.info({ attempt: row.attempts }, 'job started');
    const abort = new AbortController();
    const cancelPoll = setInterval(() => {
      this.jobs
        .isCancelRequested(jobId)
        .then((requested) => requested && abort.abort())
        .catch(() => undefined);
    }, CANCEL_POLL_INTERVAL_MS);
    let committed = false;
    const canceled = () => abort.signal.aborted && !committed;
    const tracker = new ProgressTracker();
    let lastWrite = 0;
    let writing: Promise<unknown> | undefined;
    let latest: { phase: string; done: number; total: number | null } | undefined;
    // Progress is written in the background, one write at a time: a handler holding a
    // transaction must never wait on it (the embedded database has a single connection).
    let lastMilestone: string | undefined;
    const progress = async (phase: string, done: number, total: number | null): Promise<void> => {
      if (canceled()) throw new JobCanceledError();
      latest = { phase, done, total };
      // job.progress webhooks (opt-in) at each phase and each tenth of it, not at every report.
      const milestone = `${phase}:${total ? Math.floor((done / total) * 10) : 0}`;
      if (milestone !== lastMilestone) {
        lastMilestone = milestone;
        void this.webhooks.jobProgress(row, tracker.report(phase, done, total));
      }
      const now = Date.now();
      if (writing || (now - lastWrite < PROGRESS_WRITE_INTERVAL_MS && done !== total)) return;
      lastWrite = now;
      const report = { ...tracker.report(phase, done, total) };
      writing = Promise.all([this.jobs.updateProgress(jobId, report), queued.updateProgress(report)])
        .catch((err) => log.debug({ err }, 'progress write failed'))
        .finally(() => (writing = undefined));
    };
    // A report skipped while a write was in flight, or a write still in flight, must not be
    // lost at the end: the success write carries the last report itself.
    const finalProgress = () => latest && { ...tracker.report(latest.phase, latest.done, latest.total) };
    try {
      const handler = this.handlers.get(kind) as JobHandler;
      let succeededWithin = false;
      const succeedWithin = async (db: CatalogDb, result: Record<string, unknown>) =>
        (succeededWithin = await this.jobs.finish(jobId, 'succeeded', { result, progress: finalProgress(), expiresAt: this.expiry() }, db));
      const markCommitted = () => {
        committed = true;
        clearInterval(cancelPoll);
      };
      const result = await handler.run({ job: row, payload: row.payload as never, attempt: row.attempts, signal: abort.signal, progress, log, succeedWithin, committed: markCommitted });
      // The handler returned, so the transaction that recorded its success has committed.
      if (succeededWithin) await this.webhooks.jobFinished(row, 'succeeded');
      if (canceled()) throw new JobCanceledError();
      await this.finish(row, 'succeeded', { result, progress: finalProgress() });
      log.info('job succeeded');
    } catch (err) {
      if (err instanceof JobCanceledError || canceled()) {
        await this.finish(row, 'canceled', {});
        log.info('job canceled');
        return;
      }
      // Domain errors say whether they are permanent; storage errors say whether they are transient.
      const permanent = err instanceof DomainError ? err.permanent : (err as { transient?: unknown }).transient === false;
      const lastAttempt = queued.attemptsMade + 1 >= (queued.opts.attempts ?? 1);
      log.warn({ err, permanent, lastAttempt }, 'job attempt failed');
      if (permanent || lastAttempt) {
        await this.finish(row, 'failed', { error: problemFromError(err, `/v1/jobs/${jobId}`) });
        return;
      }
      throw err; // BullMQ retries with backoff
    } finally {
      clearInterval(cancelPoll);
    }
  }

  private expiry(): Date {
    return new Date(Date.now() + this.config.jobs.retentionDays * 86_400_000);
  }

  private async finish(
    row: JobRow,
    state: 'succeeded' | 'failed' | 'canceled',
    outcome: { result?: Record<string, unknown>; error?: Record<string, unknown>; progress?: Record<string, unknown> },
  ): Promise<void> {
    const changed = await this.jobs.finish(row.id, state, { ...outcome, expiresAt: this.expiry() });
    // True exactly once per job, so each terminal event is emitted once.
    if (changed) await this.webhooks.jobFinished(row, state);
    else this.log.info({ jobId: row.id, state }, 'job was already finished by another attempt');
  }
}
