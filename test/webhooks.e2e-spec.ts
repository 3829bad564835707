import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { craftArchive } from './support/archives.js';
import { ApiClient } from './support/http.js';
import { createProject, createProxy, createToken, uniqueName } from './support/factory.js';
import { downloadArtifact, finishedJob, importForm } from './support/jobs.js';
import { eventually, startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Webhooks reach only receivers on 127.0.0.1 here: the one allow-listed address. The
 * refused targets are refused before anything connects to them.
 */
const webhookEnv = (prefix: string) => ({
  QUEUE_PREFIX: prefix,
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  // 5 s → 50 ms (the floor), 5 min → 300 ms, 30 min → 1.8 s
  WEBHOOK_RETRY_SCALE: '0.001',
  WEBHOOK_TIMEOUT_MS: '5000',
});

describe('webhooks', () => {
  const prefix = `${testEnv().queuePrefix}-${uniqueName('webhooks')}`;
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    [api, worker] = await Promise.all([startProcess('api', webhookEnv(prefix)), startProcess('worker', webhookEnv(prefix))]);
    admin = new ApiClient(api.url, testEnv().adminToken);
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });

  const receiver = async () => {
    const started = await WebhookReceiver.start();
    receivers.push(started);
    return started;
  };

  async function register(project: string, to: WebhookReceiver, events = ['job.succeeded'], path = '/hook') {
    const created = await admin.post(`/v1/projects/${project}/webhooks`, { url: to.url(path), events });
    expect(created.status).toBe(201);
    to.secrets.push(created.body.secret);
    return created.body;
  }

  async function deliveryLog(project: string, webhook: string, query = ''): Promise<any[]> {
    const answer = await admin.get(`/v1/projects/${project}/webhooks/${webhook}/deliveries${query}`);
    expect(answer.status).toBe(200);
    return answer.body.items;
  }

  async function inventory(project: string) {
    return finishedJob(admin, await admin.post(`/v1/projects/${project}/inventory`));
  }

  it('delivers job.succeeded, signed the Standard Webhooks way, to an endpoint registered for it', async () => {
    const project = await createProject(admin);
    const hooks = await receiver();
    const endpoint = await register(project, hooks, ['job.succeeded', 'job.failed']);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({ project, url: hooks.url(), events: ['job.succeeded', 'job.failed'], enabled: true, disabledReason: null });

    const job = await inventory(project);
    expect(job.state).toBe('succeeded');
    const [delivery] = await hooks.waitForCount(1, 'the job.succeeded delivery');
    expect(delivery!.verifiedBy).toEqual([0]);
    expect(delivery!.headers['content-type']).toBe('application/json');
    expect(delivery!.headers['webhook-id']).toMatch(/^msg_[0-9a-f-]{36}$/);
    expect(Math.abs(Number(delivery!.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(delivery!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(Buffer.byteLength(delivery!.body)).toBeLessThan(20 * 1024);
    expect(delivery!.event).toEqual({
      type: 'job.succeeded',
      timestamp: expect.any(String),
      data: { jobId: job.id, kind: 'project.inventory', project, state: 'succeeded', links: { job: `/v1/jobs/${job.id}` } },
    });

    // The secret is shown once: never in a listing or a read.
    const listed = await admin.get(`/v1/projects/${project}/webhooks`);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0].secret).toBeUndefined();
    expect(JSON.stringify(listed.body)).not.toContain('whsec_');
    const read = await admin.get(`/v1/projects/${project}/webhooks/${endpoint.id}`);
    expect(read.body.secret).toBeUndefined();

    const log = await eventually(async () => {
      const items = await deliveryLog(project, endpoint.id);
      return items[0]?.state === 'succeeded' ? items : undefined;
    }, 'the attempt to be logged');
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({
      webhookId: delivery!.headers['webhook-id'],
      eventType: 'job.succeeded',
      jobId: job.id,
      attempt: 1,
      trigger: 'event',
      statusCode: 204,
      error: null,
      latencyMs: expect.any(Number),
      attemptedAt: expect.any(String),
    });
  });

  it('retries a failing receiver with the same webhook-id and logs every attempt', async () => {
    const project = await createProject(admin);
    const hooks = (await receiver()).failFirst(3);
    const endpoint = await register(project, hooks);
    const job = await inventory(project);

    const deliveries = await hooks.waitForCount(4, 'the fourth attempt');
    expect(deliveries.map((d) => d.status)).toEqual([500, 500, 500, 204]);
    expect(new Set(deliveries.map((d) => d.headers['webhook-id'])).size).toBe(1);
    expect(deliveries.every((d) => d.verifiedBy.length === 1)).toBe(true);
    expect(deliveries[3]!.event.data.jobId).toBe(job.id);

    const log = await eventually(async () => {
      const items = await deliveryLog(project, endpoint.id, `?webhookId=${deliveries[0]!.headers['webhook-id']}`);
      return items.length === 4 && items.every((i) => i.state !== 'pending') ? items : undefined;
    }, 'four attempts in the log');
    const byAttempt = [...log].sort((a, b) => a.attempt - b.attempt);
    expect(byAttempt.map((a) => [a.attempt, a.trigger, a.state, a.statusCode])).toEqual([
      [1, 'event', 'failed', 500],
      [2, 'retry', 'failed', 500],
      [3, 'retry', 'failed', 500],
      [4, 'retry', 'succeeded', 204],
    ]);
    expect(byAttempt[0].error).toBe('answered 500');
    // The schedule, scaled: the third attempt waited its scaled 5 minutes (300 ms ± 10 %).
    const third = Date.parse(byAttempt[2].attemptedAt) - Date.parse(byAttempt[1].attemptedAt);
    expect(third).toBeGreaterThanOrEqual(250);

    // The paginated log: two pages of two.
    const first = await admin.get(`/v1/projects/${project}/webhooks/${endpoint.id}/deliveries?limit=2`);
    expect(first.body.items).toHaveLength(2);
    const second = await admin.get(`/v1/projects/${project}/webhooks/${endpoint.id}/deliveries?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeNull();

    // The endpoint is healthy again after the success.
    expect((await admin.get(`/v1/projects/${project}/webhooks/${endpoint.id}`)).body.failingSince).toBeNull();
  });

  it('disables an endpoint that answers 410 Gone, and sends it nothing more', async () => {
    const project = await createProject(admin);
    const hooks = (await receiver()).alwaysAnswer(410);
    const endpoint = await register(project, hooks);
    await inventory(project);

    const disabled = await eventually(async () => {
      const answer = await admin.get(`/v1/projects/${project}/webhooks/${endpoint.id}`);
      return answer.body.enabled === false ? answer.body : undefined;
    }, 'the endpoint to be disabled');
    expect(disabled.disabledReason).toMatch(/410 Gone/);
    const log = await deliveryLog(project, endpoint.id);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ attempt: 1, state: 'failed', statusCode: 410 });

    await inventory(project);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hooks.received).toHaveLength(1);
    expect(await deliveryLog(project, endpoint.id)).toHaveLength(1);

    // Redelivering to a disabled endpoint is refused; enabling it starts afresh.
    const refused = await admin.post(`/v1/projects/${project}/webhooks/${endpoint.id}/deliveries/${log[0].id}/redeliver`);
    expect(refused.status).toBe(409);
    const enabled = await admin.patch(`/v1/projects/${project}/webhooks/${endpoint.id}`, { enabled: true });
    expect(enabled.body).toMatchObject({ enabled: true, disabledReason: null, failingSince: null });
  });

  it('does not follow a redirect: the attempt fails and the redirect target is never called', async () => {
    const project = await createProject(admin);
    const hooks = await receiver();
    const endpoint = await register(project, hooks, ['job.succeeded'], '/moved');
    hooks.alwaysAnswer(302, { location: hooks.url('/elsewhere') });
    await inventory(project);
    const log = await eventually(async () => {
      const items = await deliveryLog(project, endpoint.id);
      return items.find((i) => i.attempt === 1 && i.state === 'failed') ? items : undefined;
    }, 'the redirected attempt to be logged');
    expect(log.find((i) => i.attempt === 1)).toMatchObject({ statusCode: 302, error: `answered 302 (redirect to ${hooks.url('/elsewhere')}, not followed)` });
    expect(hooks.received.filter((d) => d.path === '/elsewhere')).toHaveLength(0);
    await admin.delete(`/v1/projects/${project}/webhooks/${endpoint.id}`);
  });

  it('refuses to register targets that are private, link-local or not allow-listed, before connecting to them', async () => {
    const project = await createProject(admin);
    for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/', 'http://[::1]:9/hook', 'http://[::ffff:a9fe:a9fe]/', 'http://0.0.0.0:80/']) {
      const refused = await admin.post(`/v1/projects/${project}/webhooks`, { url, events: ['job.succeeded'] });
      expect(refused.status).toBe(400);
      expect(refused.contentType).toContain('application/problem+json');
      expect(refused.body.errors).toEqual([{ pointer: '/url', detail: expect.stringMatching(/not a public address/) }]);
    }
    const badScheme = await admin.post(`/v1/projects/${project}/webhooks`, { url: 'ftp://127.0.0.1/x', events: ['job.succeeded'] });
    expect(badScheme.status).toBe(400);
    const badEvent = await admin.post(`/v1/projects/${project}/webhooks`, { url: 'http://127.0.0.1:9/x', events: ['job.exploded'] });
    expect(badEvent.status).toBe(400);
    expect(badEvent.body.errors[0].pointer).toBe('/events');

    // The same check guards a change of URL.
    const hooks = await receiver();
    const endpoint = await register(project, hooks);
    const moved = await admin.patch(`/v1/projects/${project}/webhooks/${endpoint.id}`, { url: 'http://10.0.0.1/hook' });
    expect(moved.status).toBe(400);
    expect((await admin.get(`/v1/projects/${project}/webhooks/${endpoint.id}`)).body.url).toBe(hooks.url());
  });

  it('signs with the old and the new secret for a while after a rotation', async () => {
    const project = await createProject(admin);
    const hooks = await receiver();
    const endpoint = await register(project, hooks);
    const rotated = await admin.post(`/v1/projects/${project}/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    const graceHours = (Date.parse(rotated.body.previousSecretExpiresAt) - Date.now()) / 3_600_000;
    expect(graceHours).toBeGreaterThan(23.9);
    expect(graceHours).toBeLessThanOrEqual(24);
    hooks.secrets.push(rotated.body.secret);

    await inventory(project);
    const [delivery] = await hooks.waitForCount(1, 'a delivery after the rotation');
    expect(delivery!.headers['webhook-signature']!.split(' ')).toHaveLength(2);
    expect(delivery!.headers['webhook-signature']!.split(' ').every((s) => s.startsWith('v1,'))).toBe(true);
    // A receiver that knows only the old secret, and one that knows only the new, both verify.
    expect(delivery!.verifiedBy).toEqual([0, 1]);
  });

  it('redelivers a logged message by hand as a new attempt with the same webhook-id', async () => {
    const project = await createProject(admin);
    const hooks = await receiver();
    const endpoint = await register(project, hooks);
    await inventory(project);
    const [first] = await hooks.waitForCount(1, 'the first delivery');
    const [logged] = await eventually(async () => {
      const items = await deliveryLog(project, endpoint.id);
      return items[0]?.state === 'succeeded' ? items : undefined;
    }, 'the first attempt to be logged');

    const redelivered = await admin.post(`/v1/projects/${project}/webhooks/${endpoint.id}/deliveries/${logged.id}/redeliver`);
    expect(redelivered.status).toBe(202);
    expect(redelivered.body).toMatchObject({ webhookId: logged.webhookId, attempt: 2, trigger: 'manual', state: 'pending' });

    const deliveries = await hooks.waitForCount(2, 'the redelivery');
    expect(deliveries[1]!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(deliveries[1]!.verifiedBy).toEqual([0]);
    const log = await eventually(async () => {
      const items = await deliveryLog(project, endpoint.id);
      return items.length === 2 && items.every((i) => i.state === 'succeeded') ? items : undefined;
    }, 'the redelivery to be logged');
    expect(log.map((i) => [i.attempt, i.trigger, i.statusCode])).toEqual([
      [2, 'manual', 204],
      [1, 'event', 204],
    ]);

    const unknown = await admin.post(`/v1/projects/${project}/webhooks/${endpoint.id}/deliveries/${randomUUID()}/redeliver`);
    expect(unknown.status).toBe(404);
  });

  it('skips a scheduled retry of a message that a manual redelivery got through first', async () => {
    // Real-time retry schedule here: the first retry waits 5 s, time enough to redeliver by hand.
    const slowPrefix = `${prefix}-${uniqueName('slow')}`;
    const slow = { ...webhookEnv(slowPrefix), WEBHOOK_RETRY_SCALE: '1' };
    const [slowApi, slowWorker] = await Promise.all([startProcess('api', slow), startProcess('worker', slow)]);
    try {
      const client = new ApiClient(slowApi.url, testEnv().adminToken);
      const project = await createProject(client);
      const hooks = (await receiver()).failFirst(1);
      const created = await client.post(`/v1/projects/${project}/webhooks`, { url: hooks.url(), events: ['job.succeeded'] });
      hooks.secrets.push(created.body.secret);
      await finishedJob(client, await client.post(`/v1/projects/${project}/inventory`));
      const log = async () => (await client.get(`/v1/projects/${project}/webhooks/${created.body.id}/deliveries`)).body.items as any[];
      const failed = await eventually(async () => (await log()).find((i) => i.attempt === 1 && i.state === 'failed'), 'the failed first attempt');
      expect((await log()).find((i) => i.attempt === 2)).toMatchObject({ trigger: 'retry', state: 'pending' });

      const manual = await client.post(`/v1/projects/${project}/webhooks/${created.body.id}/deliveries/${failed.id}/redeliver`);
      expect(manual.status).toBe(202);
      await hooks.waitForCount(2, 'the manual redelivery');
      const settled = await eventually(async () => {
        const items = await log();
        return items.find((i) => i.trigger === 'retry')?.state === 'skipped' ? items : undefined;
      }, 'the scheduled retry to come due and be skipped', 20_000);
      expect(settled.find((i) => i.trigger === 'retry').error).toMatch(/^not sent: attempt \d+ delivered this message already$/);
      expect(hooks.received.map((d) => d.status)).toEqual([500, 204]);
    } finally {
      await Promise.all([slowApi.stop(), slowWorker.stop()]);
    }
  });

  it('manages endpoints: update, filter by event, delete; PROJECT_ADMIN only', async () => {
    const project = await createProject(admin);
    const hooks = await receiver();
    const endpoint = await register(project, hooks, ['job.failed']);

    // Subscribed to job.failed only: a success sends nothing.
    await inventory(project);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hooks.received).toHaveLength(0);

    const updated = await admin.patch(`/v1/projects/${project}/webhooks/${endpoint.id}`, { events: ['job.succeeded'], enabled: false });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ events: ['job.succeeded'], enabled: false, disabledReason: 'Disabled through the API.' });
    await inventory(project);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hooks.received).toHaveLength(0);

    const operator = new ApiClient(api.url, await createToken(admin, [{ project, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }]));
    expect((await operator.get(`/v1/projects/${project}/webhooks`)).status).toBe(403);
    expect((await operator.post(`/v1/projects/${project}/webhooks`, { url: hooks.url(), events: ['job.failed'] })).status).toBe(403);
    const projectAdmin = new ApiClient(api.url, await createToken(admin, [{ project, permission: 'PROJECT_ADMIN' }]));
    expect((await projectAdmin.get(`/v1/projects/${project}/webhooks`)).body.items).toHaveLength(1);

    expect((await admin.get(`/v1/projects/${project}/webhooks/not-a-uuid`)).status).toBe(404);
    expect((await admin.delete(`/v1/projects/${project}/webhooks/${endpoint.id}`)).status).toBe(204);
    expect((await admin.get(`/v1/projects/${project}/webhooks/${endpoint.id}`)).status).toBe(404);
  });

  it('emits job.succeeded for an import, whose success commits inside its own transaction', async () => {
    const source = await createProject(admin);
    await createProxy(admin, source);
    const exported = await finishedJob(admin, await admin.post(`/v1/projects/${source}/exports`, {}));
    expect(exported.state).toBe('succeeded');
    const archive = await downloadArtifact(admin, exported.id);

    const target = await createProject(admin);
    const hooks = await receiver();
    await register(target, hooks);
    const imported = await finishedJob(admin, await importForm(admin, target, archive));
    expect(imported.state).toBe('succeeded');
    const [delivery] = await hooks.waitForCount(1, 'the import delivery');
    expect(delivery!.event).toMatchObject({ type: 'job.succeeded', data: { jobId: imported.id, kind: 'archive.import', project: target, state: 'succeeded' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(hooks.received).toHaveLength(1);
  });

  it('delivers to a webhook given with one job, and only that job\'s events; its secret is answered once', async () => {
    const project = await createProject(admin);
    const hooks = await receiver();
    const created = await admin.post(`/v1/projects/${project}/inventory`, { webhook: { url: hooks.url('/ci') } });
    expect(created.status).toBe(202);
    expect(created.body.webhook).toMatchObject({ url: hooks.url('/ci'), events: ['job.succeeded', 'job.failed', 'job.canceled', 'deployment.completed'], enabled: true });
    expect(created.body.webhook.secret).toMatch(/^whsec_/);
    hooks.secrets.push(created.body.webhook.secret);
    const job = await finishedJob(admin, created);
    expect(job.webhook).toEqual({ ...created.body.webhook, secret: undefined, links: { deliveries: `/v1/projects/${project}/webhooks/${created.body.webhook.id}/deliveries` } });
    expect(job.webhook).not.toHaveProperty('secret');

    const [delivery] = await hooks.waitForCount(1, 'the job webhook delivery');
    expect(delivery!.verifiedBy).toEqual([0]);
    expect(delivery!.event).toMatchObject({ type: 'job.succeeded', data: { jobId: job.id, state: 'succeeded' } });
    const log = await eventually(async () => {
      const items = await deliveryLog(project, created.body.webhook.id);
      return items[0]?.state === 'succeeded' ? items : undefined;
    }, 'the job webhook delivery to be logged');
    expect(log.map((i) => [i.attempt, i.statusCode])).toEqual([[1, 204]]);

    // Another job of the same project does not reach it, and it is no project endpoint.
    await inventory(project);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(hooks.received).toHaveLength(1);
    expect((await admin.get(`/v1/projects/${project}/webhooks`)).body.items).toEqual([]);
  });

  it('refuses a bad webhook option with 400 and starts no job', async () => {
    const project = await createProject(admin);
    const before = (await admin.get(`/v1/jobs?project=${project}`)).body.items.length;
    const refusedTarget = await admin.post(`/v1/projects/${project}/exports`, { webhook: { url: 'http://169.254.169.254/hook' } });
    expect(refusedTarget.status).toBe(400);
    expect(refusedTarget.contentType).toContain('application/problem+json');
    expect(refusedTarget.body.errors).toEqual([{ pointer: '/webhook/url', detail: expect.stringMatching(/not a public address/) }]);
    const badEvents = await admin.post(`/v1/projects/${project}/inventory`, { webhook: { url: 'http://127.0.0.1:9/x', events: ['job.exploded'] } });
    expect(badEvents.status).toBe(400);
    expect(badEvents.body.errors).toEqual([{ pointer: '/webhook/events', detail: expect.stringContaining('job.succeeded') }]);
    const notAnObject = await admin.post(`/v1/projects/${project}/exports`, { webhook: 'http://127.0.0.1:9/x' });
    expect(notAnObject.status).toBe(400);
    expect((await admin.get(`/v1/jobs?project=${project}`)).body.items).toHaveLength(before);
  });

  it('sends opt-in job.progress events in order before the terminal event', async () => {
    const project = await createProject(admin);
    for (let i = 0; i < 40; i++) await createProxy(admin, project, { name: `progress-${i}`, basePath: `/progress-${i}` });
    const hooks = await receiver();
    const created = await admin.post(`/v1/projects/${project}/exports`, { webhook: { url: hooks.url('/progress'), events: ['job.progress', 'job.succeeded'] } });
    hooks.secrets.push(created.body.webhook.secret);
    const job = await finishedJob(admin, created);
    expect(job.state).toBe('succeeded');
    await hooks.waitForCount(1, 'the job.succeeded delivery after the progress events', '/progress');
    await eventually(async () => (hooks.received.some((d) => d.event?.type === 'job.succeeded') ? true : undefined), 'job.succeeded');
    // Each delivery is its own message; order them by their event time.
    const events = hooks.received
      .map((d) => d.event)
      .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || (a.data.progress?.done ?? Infinity) - (b.data.progress?.done ?? Infinity));
    const progress = events.filter((e) => e.type === 'job.progress');
    expect(progress.length).toBeGreaterThanOrEqual(3);
    for (const event of progress) {
      expect(event.data).toMatchObject({ jobId: job.id, state: 'running', progress: { phase: expect.any(String), done: expect.any(Number) } });
    }
    // Within a phase, a milestone per tenth: the events' counts rise.
    const writing = progress.filter((e) => e.data.progress.phase === 'exporting proxies');
    expect(writing.length).toBeGreaterThanOrEqual(5);
    expect(writing.every((e) => e.data.progress.total === 40)).toBe(true);
    const counts = writing.map((e) => e.data.progress.done as number);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts.at(-1)).toBe(40);
    expect(events.at(-1)).toMatchObject({ type: 'job.succeeded', data: { jobId: job.id } });
    expect(new Set(hooks.received.map((d) => d.headers['webhook-id'])).size).toBe(hooks.received.length);
  });

  it('emits job.failed for a job that fails, to endpoints subscribed to failures', async () => {
    const project = await createProject(admin);
    const hooks = await receiver();
    await register(project, hooks, ['job.failed']);
    const invalid = await craftArchive([{ type: 'apiProxy', doc: { uuid: randomUUID(), name: 'no-definition' } }]);
    const failed = await finishedJob(admin, await importForm(admin, project, invalid));
    expect(failed.state).toBe('failed');
    const [delivery] = await hooks.waitForCount(1, 'the job.failed delivery');
    expect(delivery!.event).toMatchObject({ type: 'job.failed', data: { jobId: failed.id, kind: 'archive.import', state: 'failed', links: { job: `/v1/jobs/${failed.id}` } } });
  });

  it('emits job.canceled when the API cancels a queued job', async () => {
    // A queue no worker watches yet, so the job stays queued until it is canceled.
    const idlePrefix = `${prefix}-${uniqueName('idle')}`;
    const idleApi = await startProcess('api', webhookEnv(idlePrefix));
    let idleWorker: RunningProcess | undefined;
    try {
      const client = new ApiClient(idleApi.url, testEnv().adminToken);
      const project = await createProject(client);
      const hooks = await receiver();
      const created = await client.post(`/v1/projects/${project}/webhooks`, { url: hooks.url(), events: ['job.canceled'] });
      hooks.secrets.push(created.body.secret);
      const job = await client.post(`/v1/projects/${project}/inventory`);
      const canceled = await client.post(`/v1/jobs/${job.body.id}/cancel`);
      expect(canceled.body.state).toBe('canceled');

      idleWorker = await startProcess('worker', webhookEnv(idlePrefix));
      const [delivery] = await hooks.waitForCount(1, 'the job.canceled delivery');
      expect(delivery!.verifiedBy).toEqual([0]);
      expect(delivery!.event).toMatchObject({ type: 'job.canceled', data: { jobId: job.body.id, state: 'canceled' } });
    } finally {
      await Promise.all([idleApi.stop(), idleWorker?.stop()]);
    }
  });
});
