import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { ApiClient } from './support/http.js';
import { createProject, createProxy, uniqueName } from './support/factory.js';
import { eventually, startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

async function jobState(client: ApiClient, id: string, state: string): Promise<any> {
  const answer = await client.get(`/v1/jobs/${id}`);
  return answer.body.state === state ? answer.body : undefined;
}

describe('job pipeline', () => {
  const started: RunningProcess[] = [];
  const start = async (kind: 'api' | 'worker', env: Record<string, string> = {}) => {
    const proc = await startProcess(kind, env);
    started.push(proc);
    return proc;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((p) => p.stop()));
  });

  describe('with a worker running', () => {
    let api: RunningProcess;
    let admin: ApiClient;
    const prefix = `${testEnv().queuePrefix}-main`;
    beforeAll(async () => {
      api = await startProcess('api', { QUEUE_PREFIX: prefix });
      admin = new ApiClient(api.url, testEnv().adminToken);
    });
    afterAll(async () => api?.stop());

    it('takes a project.inventory job from queued through running to succeeded with its result', async () => {
      await start('worker', { QUEUE_PREFIX: prefix, JOB_STEP_DELAY_MS: '800' });
      const project = await createProject(admin);
      await createProxy(admin, project);
      await createProxy(admin, project);
      await admin.post(`/v1/projects/${project}/environments`, { name: 'staging', driver: 'http' });

      const created = await admin.post(`/v1/projects/${project}/inventory`);
      expect(created.status).toBe(202);
      expect(created.headers.get('location')).toBe(`/v1/jobs/${created.body.id}`);
      expect(created.headers.get('retry-after')).toBe('2');
      expect(created.body).toMatchObject({ kind: 'project.inventory', project, state: 'queued' });

      // Progress is written in the background, shortly after the job starts running.
      const running = await eventually(async () => {
        const job = await jobState(admin, created.body.id, 'running');
        return job?.progress ? job : undefined;
      }, 'job running with progress');
      expect(running.progress.phase).toBeDefined();
      const done = await eventually(() => jobState(admin, created.body.id, 'succeeded'), 'job succeeded');
      expect(done.result.assets).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'apiProxy', count: 2 })]));
      expect(done.result.totals.count).toBe(2);
      expect(done.result.environments).toEqual([{ environment: 'staging', driver: 'http', deployments: 0 }]);
      expect(done.progress).toMatchObject({ done: 2, total: 2, percent: 100 });
      const final = await admin.get(`/v1/jobs/${created.body.id}`);
      expect(final.headers.get('retry-after')).toBeNull();

      const listed = await admin.get(`/v1/jobs?project=${project}&kind=project.inventory&state=succeeded`);
      expect(listed.body.items.map((j: { id: string }) => j.id)).toEqual([created.body.id]);
      expect((await admin.get(`/v1/jobs?state=exploded`)).status).toBe(400);
    });

    it('honours Idempotency-Key: same request → same job, other body → 422, concurrent duplicates → one job', async () => {
      const project = await createProject(admin);
      const key = uniqueName('key');
      const first = await admin.post(`/v1/projects/${project}/inventory`, undefined, { 'idempotency-key': key });
      const second = await admin.post(`/v1/projects/${project}/inventory`, undefined, { 'idempotency-key': key });
      expect(first.status).toBe(202);
      expect(second.status).toBe(202);
      expect(second.body.id).toBe(first.body.id);
      expect(second.headers.get('idempotent-replayed')).toBe('true');

      const other = await admin.post(`/v1/projects/${project}/inventory`, { note: 'different' }, { 'idempotency-key': key });
      expect(other.status).toBe(422);
      expect(other.contentType).toContain('application/problem+json');

      const burstKey = uniqueName('burst');
      const burst = await Promise.all(
        Array.from({ length: 8 }, () => admin.post(`/v1/projects/${project}/inventory`, undefined, { 'idempotency-key': burstKey })),
      );
      const accepted = burst.filter((a) => a.status === 202);
      expect(burst.every((a) => a.status === 202 || a.status === 409)).toBe(true);
      expect(new Set(accepted.map((a) => a.body.id)).size).toBe(1);
      const jobs = await admin.get(`/v1/jobs?project=${project}`);
      expect(jobs.body.items).toHaveLength(2);
    });

    it('hides jobs of projects a token cannot see', async () => {
      const project = await createProject(admin);
      const created = await admin.post(`/v1/projects/${project}/inventory`);
      const other = await createProject(admin);
      const token = (await admin.post('/v1/tokens', { name: 'x', grants: [{ project: other, permission: 'PROJECT_ADMIN' }] })).body.token;
      const outsider = new ApiClient(api.url, token);
      expect((await outsider.get(`/v1/jobs/${created.body.id}`)).status).toBe(404);
      expect((await outsider.get(`/v1/jobs?project=${project}`)).body.items).toEqual([]);
    });
  });

  it('cancels a queued job: it leaves the queue and never runs', async () => {
    const prefix = `${testEnv().queuePrefix}-${uniqueName('cancel')}`;
    const api = await start('api', { QUEUE_PREFIX: prefix });
    const admin = new ApiClient(api.url, testEnv().adminToken);
    const project = await createProject(admin);
    const created = await admin.post(`/v1/projects/${project}/inventory`);
    const canceled = await admin.post(`/v1/jobs/${created.body.id}/cancel`);
    expect(canceled.status).toBe(200);
    expect(canceled.body.state).toBe('canceled');

    await start('worker', { QUEUE_PREFIX: prefix, RECONCILE_INTERVAL_MS: '300', RECONCILE_GRACE_MS: '0' });
    await new Promise((r) => setTimeout(r, 1500));
    const after = await admin.get(`/v1/jobs/${created.body.id}`);
    expect(after.body).toMatchObject({ state: 'canceled', attempts: 0, result: null });
  });

  it('recovers a job whose Redis entry was deleted: the reconciler enqueues it again', async () => {
    const prefix = `${testEnv().queuePrefix}-${uniqueName('lost')}`;
    const api = await start('api', { QUEUE_PREFIX: prefix });
    const admin = new ApiClient(api.url, testEnv().adminToken);
    const project = await createProject(admin);
    const created = await admin.post(`/v1/projects/${project}/inventory`);
    expect(created.status).toBe(202);

    const redis = new Redis(testEnv().redisUrl);
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
    redis.disconnect();

    await start('worker', { QUEUE_PREFIX: prefix, RECONCILE_INTERVAL_MS: '300', RECONCILE_GRACE_MS: '0' });
    const done = await eventually(() => jobState(admin, created.body.id, 'succeeded'), 'reconciled job to succeed');
    expect(done.result.project).toBe(project);
  });

  it('retries a job whose worker was SIGKILLed mid-run on another worker; it succeeds exactly once', async () => {
    const prefix = `${testEnv().queuePrefix}-${uniqueName('kill')}`;
    const slow = { QUEUE_PREFIX: prefix, JOB_STEP_DELAY_MS: '3000', JOB_LOCK_DURATION_MS: '2000', JOB_STALLED_INTERVAL_MS: '1000' };
    const api = await start('api', { QUEUE_PREFIX: prefix });
    const admin = new ApiClient(api.url, testEnv().adminToken);
    const project = await createProject(admin);
    const victim = await start('worker', slow);
    const created = await admin.post(`/v1/projects/${project}/inventory`);
    const running = await eventually(() => jobState(admin, created.body.id, 'running'), 'job running on the first worker');
    expect(running.attempts).toBe(1);
    await victim.kill();

    const rescuer = await start('worker', { ...slow, JOB_STEP_DELAY_MS: '200' });
    const done = await eventually(() => jobState(admin, created.body.id, 'succeeded'), 'job succeeded on the second worker', 60_000);
    expect(done.attempts).toBe(2);
    expect(done.result.project).toBe(project);
    // The log line may reach us a moment after the job record says succeeded.
    const successes = await eventually(async () => {
      const lines = [...victim.output, ...rescuer.output].filter((line) => line.includes(created.body.id) && line.includes('"job succeeded"'));
      return lines.length > 0 ? lines : undefined;
    }, 'the success log line');
    await new Promise((r) => setTimeout(r, 500));
    expect(successes).toHaveLength(1);
    expect([...victim.output, ...rescuer.output].filter((line) => line.includes(created.body.id) && line.includes('"job succeeded"'))).toHaveLength(1);
    expect(rescuer.output.some((l) => l.includes(created.body.id) && l.includes('"job started"'))).toBe(true);
  });
});
