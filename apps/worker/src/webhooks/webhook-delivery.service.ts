import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { WebhookRepository, type WebhookDeliveryRow, type WebhookEndpointRow } from '#catalog';
import { APP_CONFIG, type AppConfig } from '#config';
import { SecretBox } from '#core';
import { LOGGER } from '#observability';
import {
  parseRetryAfter,
  retryDelayMs,
  serializeEvent,
  signatureHeader,
  WebhookDeliveryQueue,
  WebhookTargetGuard,
  WebhookTargetRefused,
  WebhookTransport,
  type WebhookAnswer,
} from '#webhooks';

/** An endpoint whose every delivery has failed for this long is disabled. */
export const DISABLE_AFTER_FAILING_MS = 5 * 86_400_000;

/**
 * Makes one delivery attempt and decides what follows: a 2xx succeeds; anything else, a
 * redirect (never followed), a refused target or no answer in time fails, and is retried
 * on the schedule (Retry-After honoured when longer) as a new pending attempt. A 410
 * disables the endpoint at once, and so do 5 days without a successful delivery.
 */
@Injectable()
export class WebhookDeliveryService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(WebhookRepository) private readonly webhooks: WebhookRepository,
    @Inject(WebhookTargetGuard) private readonly guard: WebhookTargetGuard,
    @Inject(WebhookTransport) private readonly transport: WebhookTransport,
    @Inject(WebhookDeliveryQueue) private readonly queue: WebhookDeliveryQueue,
    @Inject(SecretBox) private readonly secretBox: SecretBox,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async attempt(deliveryId: string): Promise<void> {
    const delivery = await this.webhooks.findDelivery(deliveryId);
    if (!delivery || !delivery.endpoint_id) return;
    if (delivery.state !== 'pending') {
      // Made already; its successor may have missed its enqueue (a crash in between).
      await this.enqueuePendingOf(delivery);
      return;
    }
    const log = this.log.child({ deliveryId, webhookId: delivery.webhook_id, endpointId: delivery.endpoint_id, attempt: delivery.attempt });
    const endpoint = await this.webhooks.findEndpointById(delivery.endpoint_id);
    if (!endpoint || !endpoint.enabled) {
      const error = endpoint ? `not sent: the endpoint is disabled (${endpoint.disabled_reason ?? 'no reason given'})` : 'not sent: the endpoint was deleted';
      await this.webhooks.completeAttempt(delivery, { state: 'skipped', url: delivery.url, statusCode: null, latencyMs: null, error, attemptedAt: new Date() });
      return;
    }

    // A scheduled retry of a message that a manual redelivery got through in the meantime
    // would only be a duplicate. (A manual redelivery is always sent: someone asked for it.)
    const deliveredBy = delivery.trigger === 'manual' ? undefined : await this.webhooks.findSucceededAttempt(endpoint.id, delivery.webhook_id);
    if (deliveredBy !== undefined) {
      const error = `not sent: attempt ${deliveredBy} delivered this message already`;
      await this.webhooks.completeAttempt(delivery, { state: 'skipped', url: delivery.url, statusCode: null, latencyMs: null, error, attemptedAt: new Date() });
      return;
    }

    const attemptedAt = new Date();
    const answer = await this.send(delivery, endpoint, attemptedAt);
    const status = answer.statusCode;
    if (status !== null && status >= 200 && status < 300) {
      await this.webhooks.completeAttempt(delivery, { state: 'succeeded', url: endpoint.url, statusCode: status, latencyMs: answer.latencyMs, error: null, attemptedAt });
      await this.webhooks.markEndpointHealthy(endpoint.id);
      log.info({ status, latencyMs: answer.latencyMs }, 'webhook delivered');
      return;
    }

    const failingSince = (await this.webhooks.markEndpointFailing(endpoint.id, attemptedAt)) ?? attemptedAt;
    const disableReason =
      status === 410
        ? `The endpoint answered 410 Gone on ${attemptedAt.toISOString()}; deliveries stopped.`
        : attemptedAt.getTime() - failingSince.getTime() >= DISABLE_AFTER_FAILING_MS
          ? `Every delivery failed for 5 days (since ${failingSince.toISOString()}); deliveries stopped.`
          : undefined;
    let delayMs: number | undefined;
    // A manual redelivery is one attempt; the automatic schedule belongs to the event.
    if (!disableReason && delivery.trigger !== 'manual') {
      const made = (await this.webhooks.countScheduledAttempts(endpoint.id, delivery.webhook_id)) + 1;
      delayMs = retryDelayMs(made, { scale: this.config.webhooks.retryScale, retryAfterMs: parseRetryAfter(answer.retryAfter) });
    }
    const { retry } = await this.webhooks.completeAttempt(
      delivery,
      { state: 'failed', url: endpoint.url, statusCode: status, latencyMs: answer.latencyMs, error: describeFailure(answer), attemptedAt },
      delayMs === undefined ? undefined : { scheduledAt: new Date(attemptedAt.getTime() + delayMs), url: endpoint.url },
    );
    if (disableReason) {
      await this.webhooks.disableEndpoint(endpoint.id, disableReason);
      log.warn({ status, reason: disableReason }, 'webhook endpoint disabled');
    }
    if (retry) await this.queue.enqueue(retry.id, delayMs);
    log.info({ status, error: answer.error, latencyMs: answer.latencyMs, retryInMs: retry ? delayMs : undefined }, 'webhook delivery failed');
  }

  private async send(delivery: WebhookDeliveryRow, endpoint: WebhookEndpointRow, attemptedAt: Date): Promise<WebhookAnswer> {
    let secrets: string[];
    try {
      secrets = this.signingSecrets(endpoint, attemptedAt);
    } catch {
      return { statusCode: null, latencyMs: 0, error: 'not sent: the signing secret could not be unsealed (was APIFERRY_SECRET_KEY changed?)' };
    }
    const body = serializeEvent(delivery.payload);
    const timestamp = Math.floor(attemptedAt.getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'apiferry-webhooks/1',
      'webhook-id': delivery.webhook_id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(secrets, delivery.webhook_id, timestamp, body),
    };
    try {
      // Checked again now, on the addresses the host resolves to at this moment.
      const target = await this.guard.check(endpoint.url);
      return await this.transport.post({ target, headers, body, timeoutMs: this.config.webhooks.timeoutMs });
    } catch (err) {
      if (err instanceof WebhookTargetRefused) return { statusCode: null, latencyMs: 0, error: `not sent: ${err.message}` };
      throw err;
    }
  }

  /** The current secret, and during a rotation's grace period the previous one too. */
  private signingSecrets(endpoint: WebhookEndpointRow, at: Date): string[] {
    const secrets = [this.secretBox.open(endpoint.secret)];
    if (endpoint.previous_secret && endpoint.previous_secret_expires_at && endpoint.previous_secret_expires_at > at) {
      secrets.push(this.secretBox.open(endpoint.previous_secret));
    }
    return secrets;
  }

  private async enqueuePendingOf(delivery: WebhookDeliveryRow): Promise<void> {
    if (!delivery.endpoint_id) return;
    for (const pending of await this.webhooks.listPendingOfMessage(delivery.endpoint_id, delivery.webhook_id)) {
      await this.queue.enqueue(pending.id, pending.scheduled_at.getTime() - Date.now());
    }
  }
}

function describeFailure(answer: WebhookAnswer): string {
  const status = answer.statusCode;
  if (status === null) return answer.error ?? 'no answer';
  if (status >= 300 && status < 400) return `answered ${status} (redirect${answer.location ? ` to ${answer.location.slice(0, 300)}` : ''}, not followed)`;
  if (status === 410) return 'answered 410 Gone: the endpoint was disabled';
  return `answered ${status}`;
}
