import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { JobRepository } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { isJobKind, JobQueue } from '#jobs';
import { UnavailableError } from '#core';
import { LOGGER, problemFromError } from '#observability';
import { WebhookDispatcher } from '#webhooks';

/**
 * PostgreSQL is the source of truth for jobs; Redis can lose them (a flush, a failover
 * without persistence). Every interval, jobs that are queued or running in PostgreSQL
 * but absent from their queue are enqueued again. Idempotent handlers and conditional
 * state updates make a spurious re-enqueue harmless.
 */
@Injectable()
export class Reconciler implements OnModuleInit, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(JobRepository) private readonly jobs: JobRepository,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(LOGGER) private readonly log: Logger,
    @Inject(WebhookDispatcher) private readonly webhooks: WebhookDispatcher,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.reconcileOnce(), this.config.jobs.reconcileIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async reconcileOnce(): Promise<number> {
    if (this.running) return 0;
    this.running = true;
    let requeued = 0;
    try {
      const cutoff = new Date(Date.now() - this.config.jobs.reconcileGraceMs);
      for (const job of await this.jobs.listUnfinished(cutoff, 500)) {
        if (!isJobKind(job.kind) || (await this.queue.has(job.kind, job.id))) continue;
        if (job.attempts >= this.config.jobs.attempts) {
          // A job that took down its worker this many times would take down the next one.
          const problem = new UnavailableError(`The job was abandoned after ${job.attempts} attempts that did not finish (worker crashes or lost locks).`);
          const abandoned = await this.jobs.finish(job.id, 'failed', { error: problemFromError(problem, `/v1/jobs/${job.id}`), expiresAt: new Date(Date.now() + this.config.jobs.retentionDays * 86_400_000) });
          if (abandoned) await this.webhooks.jobFinished(job, 'failed');
          this.log.error({ jobId: job.id, attempts: job.attempts }, 'job abandoned after repeated unfinished attempts');
          continue;
        }
        await this.queue.enqueue(job.kind, job.id);
        requeued++;
        this.log.warn({ jobId: job.id, kind: job.kind, state: job.state }, 'job was missing from its queue; re-enqueued');
      }
    } catch (err) {
      this.log.error({ err }, 'reconciliation failed; will try again');
    } finally {
      this.running = false;
    }
    return requeued;
  }
}
