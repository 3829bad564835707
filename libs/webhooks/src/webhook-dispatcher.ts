import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { WebhookRepository, type JobRow } from '#catalog';
import { LOGGER } from '#observability';
import { WebhookDeliveryQueue } from './webhook-delivery-queue.js';
import { deploymentEvent, jobEvent, jobProgressEvent, type TerminalJobState, type WebhookEvent } from './webhook-events.js';

/**
 * Fans an event out to the endpoints subscribed to it: one pending attempt per endpoint,
 * then a delivery job each. Called right after a job's terminal transition succeeded
 * (that conditional update is true exactly once per job), so each event is emitted once.
 */
@Injectable()
export class WebhookDispatcher {
  constructor(
    @Inject(WebhookRepository) private readonly webhooks: WebhookRepository,
    @Inject(WebhookDeliveryQueue) private readonly queue: WebhookDeliveryQueue,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /**
   * Emits job.succeeded / job.failed / job.canceled. Never throws: a job's outcome must not
   * depend on webhook bookkeeping. A failed enqueue leaves the attempt pending, and the
   * worker's sweep enqueues it later.
   */
  async jobFinished(job: Pick<JobRow, 'id' | 'kind' | 'project_id' | 'payload'>, state: TerminalJobState): Promise<void> {
    if (!job.project_id) return;
    await this.emit(job.project_id, job.id, () => jobEvent({ id: job.id, kind: job.kind, projectName: projectNameOf(job.payload) }, state, new Date()));
  }

  /** Emits job.progress (opt-in; the runner calls it at phase changes and every tenth). Never throws. */
  async jobProgress(job: Pick<JobRow, 'id' | 'kind' | 'project_id' | 'payload'>, progress: { phase: string; done: number; total: number | null; percent: number | null }): Promise<void> {
    if (!job.project_id) return;
    await this.emit(job.project_id, job.id, () => jobProgressEvent({ id: job.id, kind: job.kind, projectName: projectNameOf(job.payload) }, progress, new Date()));
  }

  /** Emits deployment.completed for one proxy on one environment. Never throws, like jobFinished. */
  async deploymentCompleted(deployment: { jobId: string; projectId: string; projectName: string; proxy: string; environment: string; success: boolean }): Promise<void> {
    await this.emit(deployment.projectId, deployment.jobId, () => deploymentEvent({ ...deployment }, new Date()));
  }

  private async emit(projectId: string, jobId: string, build: () => WebhookEvent): Promise<void> {
    let type: string | undefined;
    try {
      const event = build();
      type = event.type;
      const endpoints = await this.webhooks.listSubscribed(projectId, event.type, jobId);
      if (endpoints.length === 0) return;
      // One message id per event, kept by every retry and redelivery: receivers dedupe on it.
      const webhookId = `msg_${randomUUID()}`;
      const attempts = await this.webhooks.insertDeliveries(
        endpoints.map((endpoint) => ({
          endpointId: endpoint.id,
          url: endpoint.url,
          jobId,
          eventType: event.type,
          webhookId,
          payload: event as unknown as Record<string, unknown>,
        })),
      );
      for (const attempt of attempts) {
        await this.queue.enqueue(attempt.id).catch((err) => this.log.warn({ err, deliveryId: attempt.id }, 'webhook delivery not enqueued; the sweep will enqueue it'));
      }
      this.log.info({ jobId, event: event.type, webhookId, endpoints: endpoints.length }, 'webhook event emitted');
    } catch (err) {
      this.log.error({ err, jobId, event: type }, 'webhook event could not be emitted');
    }
  }
}

function projectNameOf(payload: unknown): string | null {
  const name = (payload as { projectName?: unknown } | null)?.projectName;
  return typeof name === 'string' ? name : null;
}
