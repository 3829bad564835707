import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, describeProblem, ExitCode } from '../cli-error.js';
import type { ApiClient } from '../http/api-client.js';
import type { Output } from '../output/output.js';
import { ProgressBar } from '../output/progress-bar.js';

export interface JobProgress {
  phase: string;
  done: number;
  total: number | null;
  percent: number | null;
  rate: number | null;
  etaSeconds: number | null;
}

export interface Job {
  id: string;
  kind: string;
  project: string | null;
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled';
  progress: JobProgress | null;
  result: Record<string, any> | null;
  error: Record<string, any> | null;
  attempts: number;
  cancelRequested: boolean;
  /** A webhook given with this job; its secret only in the answer that created the job. */
  webhook?: { id: string; url: string; events: string[]; enabled: boolean; secret?: string; links?: { deliveries: string } };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** A fresh job is asked about again soon (small jobs finish in well under a second), then every second. */
const POLL_DELAYS_MS = [250, 500];
const POLL_EVERY_MS = 1000;

export function isFinished(job: Job): boolean {
  return job.state === 'succeeded' || job.state === 'failed' || job.state === 'canceled';
}

/**
 * Polls a job every second until it finishes, showing its phase, percentage, rate and ETA.
 * Ctrl-C stops watching, not the job: the message says how to pick it up again.
 */
export async function watchJob(client: ApiClient, output: Output, first: Job | string, signal: AbortSignal, onUpdate?: (job: Job) => void): Promise<Job> {
  const bar = new ProgressBar(output.stderr, { plain: !output.json });
  const id = typeof first === 'string' ? first : first.id;
  let job = typeof first === 'string' ? await client.get<Job>(`/v1/jobs/${id}`) : first;
  try {
    for (let poll = 0; ; poll++) {
      bar.update(snapshotOf(job));
      onUpdate?.(job);
      if (isFinished(job)) break;
      await sleep(POLL_DELAYS_MS[poll] ?? POLL_EVERY_MS, undefined, { signal });
      job = await client.get<Job>(`/v1/jobs/${id}`);
    }
  } catch (err) {
    bar.clear();
    if ((err as Error).name === 'AbortError') {
      throw new CliError(ExitCode.Interrupted, `stopped watching; job ${id} goes on (apiferry jobs watch ${id}; apiferry jobs cancel ${id} stops it)`);
    }
    throw err;
  }
  bar.finish();
  return job;
}

function snapshotOf(job: Job) {
  const progress = job.progress;
  if (!progress || job.state === 'queued' || isFinished(job)) {
    return { phase: job.state, done: 0, total: null, rate: null, etaSeconds: null, unit: 'items' as const };
  }
  const phase = job.cancelRequested ? `${progress.phase} (canceling)` : progress.phase;
  return {
    phase,
    done: progress.done ?? 0,
    total: progress.total ?? null,
    rate: progress.rate ?? null,
    etaSeconds: progress.etaSeconds ?? null,
    unit: 'items' as const,
  };
}

/** Exit code of a finished job; a failed or canceled one is reported as `error: <title>: <detail>`. */
export function reportOutcome(job: Job, output: Output): ExitCode {
  if (job.state === 'succeeded') return ExitCode.Done;
  if (job.state === 'canceled') {
    output.stderr.write(`error: job ${job.id} was canceled\n`);
    return ExitCode.Failed;
  }
  if (job.state === 'failed') {
    output.stderr.write(`error: ${describeProblem(job.error, `job ${job.id} failed`)}\n`);
    return ExitCode.Failed;
  }
  return ExitCode.Done;
}
