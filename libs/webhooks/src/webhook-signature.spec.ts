import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { jobEvent, serializeEvent } from './webhook-events.js';
import { generateWebhookSecret, secretKey, signatureHeader } from './webhook-signature.js';

describe('webhook signatures', () => {
  it('makes whsec_ secrets of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(secretKey(secret)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('signs as Standard Webhooks verifies, with every secret during a rotation', () => {
    const current = generateWebhookSecret();
    const previous = generateWebhookSecret();
    const body = serializeEvent(jobEvent({ id: 'b1c6f0a4-0d5e-4a3e-9f59-1f5d3f7f2c11', kind: 'project.inventory', projectName: 'payments' }, 'succeeded', new Date()) as never);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(timestamp), 'webhook-signature': signatureHeader([current, previous], 'msg_1', timestamp, body) };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(body, headers)).toMatchObject({ type: 'job.succeeded', data: { project: 'payments', state: 'succeeded' } });
    expect(new Webhook(previous).verify(body, headers)).toBeDefined();
    expect(() => new Webhook(generateWebhookSecret()).verify(body, headers)).toThrow();
  });

  it('serializes the thin payload in the documented order whatever order it was stored in', () => {
    const stored = { data: { state: 'failed', links: { job: '/v1/jobs/x' }, project: null, kind: 'archive.export', jobId: 'x' }, timestamp: '2026-01-01T00:00:00.000Z', type: 'job.failed' };
    expect(serializeEvent(stored)).toBe(
      '{"type":"job.failed","timestamp":"2026-01-01T00:00:00.000Z","data":{"jobId":"x","kind":"archive.export","project":null,"state":"failed","links":{"job":"/v1/jobs/x"}}}',
    );
  });
});
