import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { WebhookDeliveryRow, WebhookEndpointRow, WebhookRepository } from '#catalog';
import type { AppConfig } from '#config';
import { SecretBox } from '#core';
import { generateWebhookSecret, WebhookTargetRefused, type WebhookAnswer, type WebhookDeliveryQueue, type WebhookPost, type WebhookTargetGuard, type WebhookTransport } from '#webhooks';
import { Webhook } from 'standardwebhooks';
import type { Logger } from 'pino';
import { WebhookDeliveryService } from './webhook-delivery.service.js';

const DAY = 86_400_000;
const box = SecretBox.fromKey(randomBytes(32));
const secret = generateWebhookSecret();

function endpointRow(overrides: Partial<WebhookEndpointRow> = {}): WebhookEndpointRow {
  return {
    id: 'e1',
    project_id: 'p1',
    url: 'https://hooks.example.com/in',
    events: ['job.succeeded'],
    secret: box.seal(secret),
    previous_secret: null,
    previous_secret_expires_at: null,
    enabled: true,
    disabled_reason: null,
    first_failure_at: null,
    created_at: new Date(),
    updated_at: new Date(),
    ...overrides,
  } as WebhookEndpointRow;
}

function deliveryRow(overrides: Partial<WebhookDeliveryRow> = {}): WebhookDeliveryRow {
  return {
    id: 'd1',
    endpoint_id: 'e1',
    url: 'https://hooks.example.com/in',
    job_id: 'j1',
    event_type: 'job.succeeded',
    webhook_id: 'msg_1',
    payload: { type: 'job.succeeded', timestamp: new Date().toISOString(), data: { jobId: 'j1', kind: 'project.inventory', project: 'p', state: 'succeeded', links: { job: '/v1/jobs/j1' } } },
    attempt: 1,
    status_code: null,
    latency_ms: null,
    error: null,
    state: 'pending',
    trigger: 'event',
    scheduled_at: new Date(),
    attempted_at: null,
    created_at: new Date(),
    ...overrides,
  } as WebhookDeliveryRow;
}

describe('webhook delivery attempt', () => {
  let endpoint: WebhookEndpointRow;
  let delivery: WebhookDeliveryRow;
  let answer: WebhookAnswer;
  let sent: WebhookPost[];
  let repo: Record<string, jest.Mock<(...args: any[]) => any>>;
  let queue: { enqueue: jest.Mock<(...args: any[]) => any> };
  let guard: { check: jest.Mock<(...args: any[]) => any> };
  let service: WebhookDeliveryService;

  beforeEach(() => {
    endpoint = endpointRow();
    delivery = deliveryRow();
    answer = { statusCode: 204, latencyMs: 12 };
    sent = [];
    repo = {
      findDelivery: jest.fn(async () => delivery),
      findEndpointById: jest.fn(async () => endpoint),
      completeAttempt: jest.fn(async (_d: unknown, _o: unknown, retry?: { scheduledAt: Date }) => ({ recorded: true, retry: retry ? deliveryRow({ id: 'd2', attempt: 2, trigger: 'retry' }) : undefined })),
      markEndpointHealthy: jest.fn(async () => undefined),
      markEndpointFailing: jest.fn(async (_id: unknown, at: Date) => endpoint.first_failure_at ?? at),
      disableEndpoint: jest.fn(async () => undefined),
      countScheduledAttempts: jest.fn(async () => 0),
      findSucceededAttempt: jest.fn(async () => undefined),
      listPendingOfMessage: jest.fn(async () => []),
    };
    queue = { enqueue: jest.fn(async () => undefined) };
    guard = { check: jest.fn(async (url: string) => ({ url: new URL(url), address: '93.184.215.14', family: 4 })) };
    const transport = { post: jest.fn(async (request: WebhookPost) => (sent.push(request), answer)) };
    const config = { webhooks: { retryScale: 1, timeoutMs: 15_000, allowedHosts: [], concurrency: 1 } } as unknown as AppConfig;
    const log = { child: () => log, info: () => undefined, warn: () => undefined } as unknown as Logger;
    service = new WebhookDeliveryService(
      config,
      repo as unknown as WebhookRepository,
      guard as unknown as WebhookTargetGuard,
      transport as unknown as WebhookTransport,
      queue as unknown as WebhookDeliveryQueue,
      box,
      log,
    );
  });

  it('sends a Standard Webhooks request and records a 2xx as success', async () => {
    await service.attempt('d1');
    const request = sent[0] as WebhookPost;
    expect(request.headers['webhook-id']).toBe('msg_1');
    expect(request.headers['content-type']).toBe('application/json');
    expect(new Webhook(secret).verify(request.body, request.headers)).toMatchObject({ type: 'job.succeeded' });
    expect(repo.completeAttempt).toHaveBeenCalledWith(delivery, expect.objectContaining({ state: 'succeeded', statusCode: 204, latencyMs: 12 }));
    expect(repo.markEndpointHealthy).toHaveBeenCalledWith('e1');
    expect(queue.enqueue).not.toHaveBeenCalled();
  });

  it('schedules the next attempt of a failure after the first step of the schedule', async () => {
    answer = { statusCode: 500, latencyMs: 3 };
    await service.attempt('d1');
    const [, outcome, retry] = repo.completeAttempt.mock.calls[0] as [unknown, { state: string; error: string }, { scheduledAt: Date }];
    expect(outcome).toMatchObject({ state: 'failed', error: 'answered 500' });
    const [retryId, delay] = queue.enqueue.mock.calls[0] as [string, number];
    expect(retryId).toBe('d2');
    expect(delay).toBeGreaterThanOrEqual(4_500);
    expect(delay).toBeLessThanOrEqual(5_500);
    expect(retry.scheduledAt.getTime() - (outcome as unknown as { attemptedAt: Date }).attemptedAt.getTime()).toBe(delay);
    expect(repo.disableEndpoint).not.toHaveBeenCalled();
  });

  it('waits for a longer Retry-After', async () => {
    answer = { statusCode: 429, latencyMs: 3, retryAfter: '60' };
    await service.attempt('d1');
    expect(queue.enqueue.mock.calls[0]?.[1]).toBe(60_000);
  });

  it('stops after the last step of the schedule', async () => {
    answer = { statusCode: 500, latencyMs: 3 };
    repo.countScheduledAttempts!.mockResolvedValue(9);
    await service.attempt('d1');
    expect(repo.completeAttempt.mock.calls[0]?.[2]).toBeUndefined();
    expect(queue.enqueue).not.toHaveBeenCalled();
  });

  it('disables the endpoint on 410 Gone, without retrying', async () => {
    answer = { statusCode: 410, latencyMs: 3 };
    await service.attempt('d1');
    expect(repo.disableEndpoint).toHaveBeenCalledWith('e1', expect.stringContaining('410 Gone'));
    expect(repo.completeAttempt.mock.calls[0]?.[2]).toBeUndefined();
    expect(queue.enqueue).not.toHaveBeenCalled();
  });

  it('disables an endpoint that has failed continuously for 5 days', async () => {
    endpoint = endpointRow({ first_failure_at: new Date(Date.now() - 5 * DAY - 1000) });
    answer = { statusCode: null, latencyMs: 15_000, error: 'no answer within 15000 ms' };
    await service.attempt('d1');
    expect(repo.disableEndpoint).toHaveBeenCalledWith('e1', expect.stringContaining('failed for 5 days'));
    expect(queue.enqueue).not.toHaveBeenCalled();
  });

  it('keeps retrying an endpoint failing for less than 5 days', async () => {
    endpoint = endpointRow({ first_failure_at: new Date(Date.now() - 4 * DAY) });
    answer = { statusCode: 502, latencyMs: 3 };
    await service.attempt('d1');
    expect(repo.disableEndpoint).not.toHaveBeenCalled();
    expect(queue.enqueue).toHaveBeenCalled();
  });

  it('records a redirect as a failure, naming where it pointed', async () => {
    answer = { statusCode: 302, latencyMs: 3, location: 'http://10.0.0.1/' };
    await service.attempt('d1');
    expect(repo.completeAttempt.mock.calls[0]?.[1]).toMatchObject({ state: 'failed', statusCode: 302, error: 'answered 302 (redirect to http://10.0.0.1/, not followed)' });
  });

  it('does not send to a target the guard refuses at delivery time, and retries later', async () => {
    guard.check.mockRejectedValue(new WebhookTargetRefused('The host hooks.example.com resolves to 10.0.0.7, which is not a public address (private); webhooks may not target it.'));
    await service.attempt('d1');
    expect(sent).toHaveLength(0);
    expect(repo.completeAttempt.mock.calls[0]?.[1]).toMatchObject({ state: 'failed', statusCode: null, error: expect.stringMatching(/^not sent: .*10\.0\.0\.7/) });
    expect(queue.enqueue).toHaveBeenCalled();
  });

  it('makes a manual redelivery once, without a schedule', async () => {
    delivery = deliveryRow({ trigger: 'manual', attempt: 4 });
    answer = { statusCode: 500, latencyMs: 3 };
    await service.attempt('d1');
    expect(repo.completeAttempt.mock.calls[0]?.[2]).toBeUndefined();
    expect(queue.enqueue).not.toHaveBeenCalled();
  });

  it('skips an attempt whose endpoint was disabled meanwhile', async () => {
    endpoint = endpointRow({ enabled: false, disabled_reason: 'Disabled through the API.' });
    await service.attempt('d1');
    expect(sent).toHaveLength(0);
    expect(repo.completeAttempt.mock.calls[0]?.[1]).toMatchObject({ state: 'skipped', error: 'not sent: the endpoint is disabled (Disabled through the API.)' });
  });

  it('skips a scheduled retry of a message another attempt delivered, but sends a manual redelivery anyway', async () => {
    repo.findSucceededAttempt!.mockResolvedValue(3);
    delivery = deliveryRow({ attempt: 2, trigger: 'retry' });
    await service.attempt('d1');
    expect(sent).toHaveLength(0);
    expect(repo.completeAttempt.mock.calls[0]?.[1]).toMatchObject({ state: 'skipped', error: 'not sent: attempt 3 delivered this message already' });

    delivery = deliveryRow({ attempt: 4, trigger: 'manual' });
    await service.attempt('d1');
    expect(sent).toHaveLength(1);
  });

  it('signs with both secrets during a rotation, and with the new one only afterwards', async () => {
    const previous = generateWebhookSecret();
    endpoint = endpointRow({ previous_secret: box.seal(previous), previous_secret_expires_at: new Date(Date.now() + DAY) });
    await service.attempt('d1');
    const during = sent[0] as WebhookPost;
    expect(during.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(new Webhook(previous).verify(during.body, during.headers)).toBeDefined();
    expect(new Webhook(secret).verify(during.body, during.headers)).toBeDefined();

    endpoint = endpointRow({ previous_secret: box.seal(previous), previous_secret_expires_at: new Date(Date.now() - 1000) });
    await service.attempt('d1');
    expect((sent[1] as WebhookPost).headers['webhook-signature']!.split(' ')).toHaveLength(1);
  });

  it('makes an attempt no more once it is recorded, but enqueues what is still pending of its message', async () => {
    delivery = deliveryRow({ state: 'failed' });
    repo.listPendingOfMessage!.mockResolvedValue([deliveryRow({ id: 'd2', attempt: 2, scheduled_at: new Date(Date.now() + 60_000) })]);
    await service.attempt('d1');
    expect(sent).toHaveLength(0);
    expect(queue.enqueue.mock.calls[0]?.[0]).toBe('d2');
  });
});
