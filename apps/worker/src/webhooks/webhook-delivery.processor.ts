import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { Worker } from 'bullmq';
import type { Logger } from 'pino';
import { WebhookRepository } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { redisConnectionFromUrl } from '#jobs';
import { LOGGER } from '#observability';
import { WEBHOOK_DELIVERY_QUEUE, WebhookDeliveryQueue, type WebhookDeliveryJobData } from '#webhooks';
import { WebhookDeliveryService } from './webhook-delivery.service.js';

const SWEEP_BATCH = 500;

/**
 * Takes delivery attempts off the `webhook-deliveries` queue (delayed jobs carry the retry
 * schedule) and, like the job reconciler, periodically enqueues pending attempts that are
 * overdue: PostgreSQL holds the delivery log, Redis may have lost the job.
 */
@Injectable()
export class WebhookDeliveryProcessor implements OnModuleInit, OnApplicationShutdown {
  private worker?: Worker<WebhookDeliveryJobData>;
  private sweepTimer?: NodeJS.Timeout;
  private sweeping = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WebhookDeliveryService) private readonly deliveries: WebhookDeliveryService,
    @Inject(WebhookRepository) private readonly webhooks: WebhookRepository,
    @Inject(WebhookDeliveryQueue) private readonly queue: WebhookDeliveryQueue,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  onModuleInit(): void {
    this.worker = new Worker<WebhookDeliveryJobData>(WEBHOOK_DELIVERY_QUEUE, (job) => this.deliveries.attempt(job.data.deliveryId), {
      connection: redisConnectionFromUrl(this.config.redis.url),
      prefix: this.config.redis.queuePrefix,
      concurrency: this.config.webhooks.concurrency,
      // An attempt may wait for its receiver up to the timeout; the lock must outlast it.
      lockDuration: Math.max(this.config.jobs.lockDurationMs, this.config.webhooks.timeoutMs * 2),
      // A worker that died mid-attempt leaves the job active; the next stalled check hands it on.
      stalledInterval: this.config.jobs.stalledIntervalMs,
      maxStalledCount: this.config.jobs.maxStalledCount,
    });
    this.worker.on('error', (err) => this.log.error({ err, queue: WEBHOOK_DELIVERY_QUEUE }, 'queue worker error'));
    this.worker.on('failed', (job, err) => this.log.warn({ err, deliveryId: job?.data.deliveryId }, 'webhook delivery job failed'));
    this.sweepTimer = setInterval(() => void this.sweepOnce(), this.config.jobs.reconcileIntervalMs);
    this.sweepTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweepTimer);
    if (!this.worker) return;
    const bound = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
    await Promise.race([this.worker.close(), bound]);
  }

  /** Enqueues attempts overdue by more than the grace period; returns how many it saw. */
  async sweepOnce(): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const overdue = await this.webhooks.listOverdue(new Date(Date.now() - this.config.jobs.reconcileGraceMs), SWEEP_BATCH);
      // Already queued attempts are not duplicated: the job id is the attempt's id.
      for (const delivery of overdue) await this.queue.enqueue(delivery.id);
      return overdue.length;
    } catch (err) {
      this.log.error({ err }, 'webhook delivery sweep failed; will try again');
      return 0;
    } finally {
      this.sweeping = false;
    }
  }
}
