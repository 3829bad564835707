import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ObjectStore } from '#storage';
import { createProject, createProxy, createToken, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { finishedJob } from './support/jobs.js';
import { eventually, startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

interface SseEvent {
  id?: string;
  event: string;
  data: any;
}

interface SseAnswer {
  status: number;
  contentType: string;
  headers: Headers;
  events: SseEvent[];
  /** True when the server closed the stream; false when the read stopped at the time limit. */
  ended: boolean;
  /** The parsed body of an answer that is not an event stream. */
  body?: any;
}

/** Reads GET /v1/jobs/{id}/events as an EventSource would, until the server ends it or `timeoutMs` passes. */
async function readEvents(client: ApiClient, jobId: string, opts: { lastEventId?: string; timeoutMs?: number; token?: string | null } = {}): Promise<SseAnswer> {
  const token = opts.token === undefined ? client.token : opts.token;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), opts.timeoutMs ?? 30_000);
  try {
    const response = await fetch(`${client.baseUrl}/v1/jobs/${jobId}/events`, {
      headers: {
        accept: 'text/event-stream',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(opts.lastEventId !== undefined ? { 'last-event-id': opts.lastEventId } : {}),
      },
      signal: abort.signal,
    });
    const contentType = response.headers.get('content-type') ?? '';
    if (!contentType.startsWith('text/event-stream')) {
      const text = await response.text();
      return { status: response.status, contentType, headers: response.headers, events: [], ended: true, body: text ? JSON.parse(text) : undefined };
    }
    const events: SseEvent[] = [];
    const decoder = new TextDecoder();
    let pending = '';
    let ended = false;
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        pending += decoder.decode(chunk, { stream: true });
        let boundary: number;
        while ((boundary = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, boundary);
          pending = pending.slice(boundary + 2);
          const event = parseBlock(block);
          if (event) events.push(event);
        }
      }
      ended = true;
    } catch (err) {
      if (!abort.signal.aborted) throw err;
    }
    return { status: response.status, contentType, headers: response.headers, events, ended };
  } finally {
    clearTimeout(timer);
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue; // a comment (keep-alive)
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  return data.length === 0 ? undefined : { id, event, data: JSON.parse(data.join('\n')) };
}

describe('job event streams', () => {
  const started: RunningProcess[] = [];
  const start = async (kind: 'api' | 'worker', env: Record<string, string> = {}) => {
    const proc = await startProcess(kind, env);
    started.push(proc);
    return proc;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });

  let api: RunningProcess;
  let admin: ApiClient;
  const prefix = `${testEnv().queuePrefix}-events`;
  beforeAll(async () => {
    api = await startProcess('api', { QUEUE_PREFIX: prefix });
    admin = new ApiClient(api.url, testEnv().adminToken);
  });
  afterAll(async () => api?.stop());

  it('streams a running job: progress events with increasing ids, then succeeded with the result, then the end; a resume after the end yields only the terminal event', async () => {
    await start('worker', { QUEUE_PREFIX: prefix, JOB_STEP_DELAY_MS: '600' });
    const project = await createProject(admin);
    await createProxy(admin, project);
    const created = await admin.post(`/v1/projects/${project}/inventory`);
    expect(created.status).toBe(202);

    const stream = await readEvents(admin, created.body.id);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toContain('text/event-stream');
    expect(stream.headers.get('cache-control')).toBe('no-cache');
    expect(stream.ended).toBe(true);

    const names = stream.events.map((e) => e.event);
    expect(names.at(-1)).toBe('succeeded');
    expect(names.slice(0, -1).every((name) => name === 'progress')).toBe(true);
    const progress = stream.events.filter((e) => e.event === 'progress');
    expect(progress.some((e) => e.data.state === 'running' && e.data.progress?.phase)).toBe(true);
    expect(progress.every((e) => e.data.id === created.body.id)).toBe(true);
    const ids = stream.events.map((e) => Number(e.id));
    expect(ids.every((id, i) => Number.isSafeInteger(id) && (i === 0 || id > ids[i - 1]))).toBe(true);

    const terminal = stream.events.at(-1) as SseEvent;
    expect(terminal.data).toMatchObject({ id: created.body.id, state: 'succeeded', progress: { done: 2, total: 2, percent: 100 } });
    expect(terminal.data.result.totals.count).toBe(1);

    const resumed = await readEvents(admin, created.body.id, { lastEventId: terminal.id });
    expect(resumed.ended).toBe(true);
    expect(resumed.events).toEqual([terminal]);
    const fromTheStart = await readEvents(admin, created.body.id, { lastEventId: String(ids[0]) });
    expect(fromTheStart.events.map((e) => e.event)).toEqual(['succeeded']);
  });

  it('a stream resumed at the current state of a queued job waits for the next change; a cancel ends it with canceled', async () => {
    // No worker serves this prefix: the job stays queued until it is canceled.
    const idle = await start('api', { QUEUE_PREFIX: `${testEnv().queuePrefix}-${uniqueName('idle')}` });
    const client = new ApiClient(idle.url, testEnv().adminToken);
    const project = await createProject(client);
    const created = await client.post(`/v1/projects/${project}/inventory`);

    const first = await readEvents(client, created.body.id, { timeoutMs: 1500 });
    expect(first.ended).toBe(false);
    expect(first.events).toHaveLength(1);
    expect(first.events[0]).toMatchObject({ event: 'progress', data: { state: 'queued' } });

    const quiet = await readEvents(client, created.body.id, { lastEventId: first.events[0].id, timeoutMs: 1500 });
    expect(quiet.ended).toBe(false);
    expect(quiet.events).toEqual([]);

    const watching = readEvents(client, created.body.id, { lastEventId: first.events[0].id, timeoutMs: 15_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await client.post(`/v1/jobs/${created.body.id}/cancel`)).status).toBe(200);
    const after = await watching;
    expect(after.ended).toBe(true);
    // The cancel flag and the canceled state are two writes; a poll may see the first alone.
    expect(after.events.map((e) => e.event).filter((name) => name !== 'progress')).toEqual(['canceled']);
    expect(after.events.at(-1)?.data).toMatchObject({ state: 'canceled', cancelRequested: true });
    expect(Number(after.events[0].id)).toBeGreaterThan(Number(first.events[0].id));
  });

  it('answers 404 problem+json for an unknown or invisible job and 401 without a token', async () => {
    const unknown = await readEvents(admin, randomUUID());
    expect(unknown.status).toBe(404);
    expect(unknown.contentType).toContain('application/problem+json');
    expect(unknown.body).toMatchObject({ status: 404 });
    expect((await readEvents(admin, 'not-a-uuid')).status).toBe(404);

    const project = await createProject(admin);
    const created = await admin.post(`/v1/projects/${project}/inventory`);
    const outsider = await createToken(admin, [{ project: await createProject(admin), permission: 'PROJECT_ADMIN' }]);
    const hidden = await readEvents(admin, created.body.id, { token: outsider });
    expect(hidden.status).toBe(404);
    expect(hidden.body).toMatchObject({ type: unknown.body.type, status: 404, detail: `Job ${created.body.id} does not exist.` });

    const anonymous = await readEvents(admin, created.body.id, { token: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.contentType).toContain('application/problem+json');
  });
});

describe('retention sweep', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let db: pg.Client;
  const env = testEnv();
  const store = new ObjectStore({ ...env.s3, forcePathStyle: true, createBucket: false });
  const prefix = `${env.queuePrefix}-retention`;

  beforeAll(async () => {
    [api, worker] = await Promise.all([
      startProcess('api', { QUEUE_PREFIX: prefix, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }),
      startProcess('worker', { QUEUE_PREFIX: prefix, RETENTION_SWEEP_INTERVAL_MS: '300', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }),
    ]);
    admin = new ApiClient(api.url, env.adminToken);
    db = new pg.Client({ connectionString: env.databaseUrl });
    await db.connect();
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop(), db?.end()]);
  });

  /** Test setup only: moves a record's expiry into the past, as time would. */
  async function expire(table: 'jobs' | 'uploads', id: string): Promise<void> {
    const result = await db.query(`update ${table} set expires_at = now() - interval '1 minute' where id = $1`, [id]);
    expect(result.rowCount).toBe(1);
  }

  it('deletes an expired export job and its archive, and leaves unexpired jobs alone', async () => {
    const project = await createProject(admin);
    await createProxy(admin, project);
    const expiring = await finishedJob(admin, await admin.post(`/v1/projects/${project}/exports`, {}));
    const kept = await finishedJob(admin, await admin.post(`/v1/projects/${project}/exports`, {}));
    expect([expiring.state, kept.state]).toEqual(['succeeded', 'succeeded']);
    expect(Date.parse(expiring.expiresAt)).toBeGreaterThan(Date.now());
    const key = expiring.result.artifact.key as string;
    expect(await store.head(key)).toBeDefined();

    await expire('jobs', expiring.id);
    await eventually(async () => ((await admin.get(`/v1/jobs/${expiring.id}`)).status === 404 ? true : undefined), 'the expired job to be deleted', 15_000);
    expect(await store.head(key)).toBeUndefined();
    expect((await admin.get(`/v1/jobs/${expiring.id}/artifact`)).status).toBe(404);

    expect((await admin.get(`/v1/jobs/${kept.id}`)).body.state).toBe('succeeded');
    expect(await store.head(kept.result.artifact.key)).toBeDefined();
  });

  it('deletes an expired upload and aborts its open multipart upload', async () => {
    const project = await createProject(admin);
    const projectId = (await admin.get(`/v1/projects/${project}`)).body.id as string;
    const upload = await admin.post(`/v1/projects/${project}/uploads`, { fileName: 'big.zip', size: 10 * 1024 * 1024 });
    expect(upload.status).toBe(201);
    const uploadPrefix = `uploads/${projectId}/${upload.body.id}/`;
    expect(await store.listMultipartUploads(uploadPrefix)).toHaveLength(1);

    await expire('uploads', upload.body.id);
    await eventually(async () => ((await store.listMultipartUploads(uploadPrefix)).length === 0 ? true : undefined), 'the multipart upload to be aborted', 15_000);
    const complete = await admin.post(`/v1/projects/${project}/uploads/${upload.body.id}/complete`, { parts: [{ partNumber: 1, etag: '"x"' }] });
    expect(complete.status).toBe(404);
  });

  it('deletes webhook delivery-log entries older than the retention period, and keeps newer ones', async () => {
    const project = await createProject(admin);
    const receiver = await WebhookReceiver.start();
    try {
      const endpoint = await admin.post(`/v1/projects/${project}/webhooks`, { url: receiver.url(), events: ['job.succeeded'] });
      expect(endpoint.status).toBe(201);
      receiver.secrets.push(endpoint.body.secret);
      await finishedJob(admin, await admin.post(`/v1/projects/${project}/inventory`));
      await finishedJob(admin, await admin.post(`/v1/projects/${project}/inventory`));
      const log = async () => (await admin.get(`/v1/projects/${project}/webhooks/${endpoint.body.id}/deliveries`)).body.items as { id: string; state: string }[];
      const [newer, older] = await eventually(async () => {
        const items = await log();
        return items.length === 2 && items.every((i) => i.state === 'succeeded') ? items : undefined;
      }, 'two logged deliveries');
      // Test setup only: age one attempt past the 30-day retention, as time would.
      const aged = await db.query(`update webhook_deliveries set created_at = now() - interval '31 days' where id = $1`, [older!.id]);
      expect(aged.rowCount).toBe(1);
      await eventually(async () => ((await log()).length === 1 ? true : undefined), 'the old delivery-log entry to be deleted', 15_000);
      expect((await log()).map((i) => i.id)).toEqual([newer!.id]);
    } finally {
      await receiver.stop();
    }
  });

  it('forgets idempotency keys older than 24 hours: the key can then start a new job', async () => {
    const project = await createProject(admin);
    const key = uniqueName('old-key');
    const first = await admin.post(`/v1/projects/${project}/inventory`, undefined, { 'idempotency-key': key });
    expect(first.status).toBe(202);
    expect((await admin.post(`/v1/projects/${project}/inventory`, { other: true }, { 'idempotency-key': key })).status).toBe(422);

    await db.query(`update idempotency_keys set created_at = now() - interval '25 hours' where key = $1`, [key]);
    const reused = await eventually(async () => {
      const answer = await admin.post(`/v1/projects/${project}/inventory`, { other: true }, { 'idempotency-key': key });
      return answer.status === 202 ? answer : undefined;
    }, 'the old key to be forgotten', 15_000);
    expect(reused.body.id).not.toBe(first.body.id);
    expect(reused.headers.get('idempotent-replayed')).toBeNull();
  });
});
