import { Queue } from 'bullmq';
import type { RedisConnectionSettings } from '#jobs';

export const WEBHOOK_DELIVERY_QUEUE = 'webhook-deliveries';

export interface WebhookDeliveryJobData {
  /** The pending attempt (webhook_deliveries row) to make. */
  deliveryId: string;
}

export interface WebhookDeliveryQueueSettings {
  redis: RedisConnectionSettings;
  prefix: string;
}

/**
 * The only place delivery attempts are enqueued. The retry schedule is carried by delayed
 * jobs, one per pending attempt.
 *
 * Dedup rule: the BullMQ job id is the attempt row's id. Adding an attempt that is already
 * queued (the sweep, a retried enqueue) is a no-op, and an attempt that was made is no
 * longer pending, so its job, should it run again, does nothing.
 */
export class WebhookDeliveryQueue {
  private readonly queue: Queue<WebhookDeliveryJobData>;

  constructor(settings: WebhookDeliveryQueueSettings) {
    this.queue = new Queue<WebhookDeliveryJobData>(WEBHOOK_DELIVERY_QUEUE, { connection: settings.redis, prefix: settings.prefix });
  }

  /** Enqueues within `timeoutMs` or throws; the attempt stays pending for the sweep to enqueue. */
  async enqueue(deliveryId: string, delayMs = 0, timeoutMs = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const added = this.queue.add(
      'deliver',
      { deliveryId },
      {
        jobId: deliveryId,
        delay: Math.max(0, Math.round(delayMs)),
        // These attempts cover our own bookkeeping (PostgreSQL, Redis); a receiver's failure
        // is recorded and rescheduled as a new attempt row, not retried here.
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
    added.catch(() => undefined);
    try {
      await Promise.race([added, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('redis did not accept the delivery in time')), timeoutMs)))]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
