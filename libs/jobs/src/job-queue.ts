import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { withTimeout } from '#core';
import type { RedisConnectionSettings } from './redis.js';
import { ALL_JOB_KINDS, queueNameOf, type JobKind } from './job-kinds.js';

export interface QueueJobData {
  jobId: string;
}

export interface JobQueueSettings {
  redis: RedisConnectionSettings;
  prefix: string;
  attempts: number;
  backoffMs: number;
}

/** The only place jobs are enqueued. */
export class JobQueue {
  private readonly queues = new Map<JobKind, Queue<QueueJobData>>();
  private pingClient?: Redis;

  constructor(private readonly settings: JobQueueSettings) {
    for (const kind of ALL_JOB_KINDS) {
      this.queues.set(kind, new Queue<QueueJobData>(queueNameOf(kind), { connection: settings.redis, prefix: settings.prefix }));
    }
  }

  /** Enqueues within `timeoutMs` or throws; the caller's job record stays queued for the reconciler. */
  async enqueue(kind: JobKind, jobId: string, timeoutMs = 3000): Promise<void> {
    await withTimeout(this.queue(kind).add(
      kind,
      { jobId },
      {
        jobId,
        attempts: this.settings.attempts,
        backoff: { type: 'exponential', delay: this.settings.backoffMs },
        // The job record in PostgreSQL keeps the outcome; Redis keeps only what is in flight.
        removeOnComplete: true,
        removeOnFail: true,
      },
    ), timeoutMs, 'redis did not accept the job in time');
  }

  /** True when Redis still holds the job in any state (waiting, active, delayed...). */
  async has(kind: JobKind, jobId: string): Promise<boolean> {
    return (await withTimeout(this.queue(kind).getJob(jobId), 5000, 'redis did not answer in time')) !== undefined;
  }

  /** Removes a job that has not started; false when it is running (locked) or gone. */
  async removeWaiting(kind: JobKind, jobId: string): Promise<boolean> {
    const job = await withTimeout(this.queue(kind).getJob(jobId), 3000, 'redis did not answer in time').catch(() => undefined);
    if (!job) return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false; // locked by a worker: it is running
    }
  }

  async depth(): Promise<{ kind: JobKind; waiting: number; active: number; delayed: number }[]> {
    return Promise.all(
      ALL_JOB_KINDS.map(async (kind) => {
        const counts = await this.queue(kind).getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        return { kind, waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0), active: counts.active ?? 0, delayed: counts.delayed ?? 0 };
      }),
    );
  }

  /** Answers within `timeoutMs` or throws: a health check must not hang on a dead Redis. */
  async ping(timeoutMs = 2000): Promise<void> {
    const client = this.pingClient ?? (this.pingClient = new Redis({ ...this.settings.redis, maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: false, connectTimeout: timeoutMs }));
    if (client.status === 'wait' || client.status === 'end') await client.connect().catch(() => undefined);
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        client.ping(),
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('redis did not answer in time')), timeoutMs))),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    this.pingClient?.disconnect();
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  private queue(kind: JobKind): Queue<QueueJobData> {
    const queue = this.queues.get(kind);
    if (!queue) throw new Error(`no queue for job kind ${kind}`);
    return queue;
  }
}

