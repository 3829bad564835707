import { afterEach, describe, expect, it } from '@jest/globals';
import { createProject, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { finishedJob } from './support/jobs.js';
import { eventually, startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * Restart drills: a process that dies (SIGKILL, no clean-up) loses nothing. PostgreSQL
 * holds the truth (job records, the delivery log); Redis only carries the work.
 */
describe('restart drills', () => {
  const processes: RunningProcess[] = [];
  const receivers: WebhookReceiver[] = [];
  const start = async (kind: 'api' | 'worker', env: Record<string, string>) => {
    const started = await startProcess(kind, env);
    processes.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(processes.splice(0).map((p) => p.stop()));
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });

  it('a worker killed in the middle of a webhook delivery loses no delivery: another worker makes it, with the same webhook-id', async () => {
    const env = {
      QUEUE_PREFIX: `${testEnv().queuePrefix}-${uniqueName('hookkill')}`,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_TIMEOUT_MS: '3000', // the delivery lock is twice this: the second worker takes over after it
      JOB_LOCK_DURATION_MS: '1000',
      JOB_STALLED_INTERVAL_MS: '1000',
    };
    const api = await start('api', env);
    const admin = new ApiClient(api.url, testEnv().adminToken);
    const project = await createProject(admin);
    const hooks = await WebhookReceiver.start();
    receivers.push(hooks);
    const endpoint = await admin.post(`/v1/projects/${project}/webhooks`, { url: hooks.url(), events: ['job.succeeded'] });
    hooks.secrets.push(endpoint.body.secret);
    hooks.hangFirst(1);

    const victim = await start('worker', env);
    const job = await finishedJob(admin, await admin.post(`/v1/projects/${project}/inventory`));
    const [inFlight] = await hooks.waitForCount(1, 'the delivery the worker is making');
    expect(inFlight!.status).toBe(0); // the receiver is still holding it
    await victim.kill();

    await start('worker', env);
    const [, made] = await hooks.waitForCount(2, 'the delivery made by the second worker', undefined, 60_000);
    expect(made!.status).toBe(204);
    expect(made!.verifiedBy).toEqual([0]);
    expect(made!.headers['webhook-id']).toBe(inFlight!.headers['webhook-id']);
    expect(made!.event).toMatchObject({ type: 'job.succeeded', data: { jobId: job.id } });
    const log = await eventually(async () => {
      const items = (await admin.get(`/v1/projects/${project}/webhooks/${endpoint.body.id}/deliveries`)).body.items as any[];
      return items.some((i) => i.state === 'succeeded') ? items : undefined;
    }, 'the delivery to be logged as made');
    expect(log.filter((i) => i.state === 'succeeded')).toEqual([expect.objectContaining({ webhookId: inFlight!.headers['webhook-id'], statusCode: 204 })]);
  });

  it('an API killed right after answering 202 loses no job: a new API process reports every job done', async () => {
    const env = { QUEUE_PREFIX: `${testEnv().queuePrefix}-${uniqueName('apikill')}` };
    const first = await start('api', env);
    const admin = new ApiClient(first.url, testEnv().adminToken);
    const project = await createProject(admin);
    const accepted = await Promise.all(Array.from({ length: 5 }, () => admin.post(`/v1/projects/${project}/inventory`)));
    expect(accepted.map((a) => a.status)).toEqual([202, 202, 202, 202, 202]);
    await first.kill();

    const second = await start('api', env);
    await start('worker', env);
    const client = new ApiClient(second.url, testEnv().adminToken);
    for (const created of accepted) {
      const done = await eventually(async () => {
        const answer = await client.get(`/v1/jobs/${created.body.id}`);
        return answer.body.state === 'succeeded' ? answer.body : undefined;
      }, `job ${created.body.id} to succeed`);
      expect(done.result.project).toBe(project);
    }
    const listed = (await client.get(`/v1/jobs?project=${project}`)).body.items as { id: string }[];
    expect(listed.map((j) => j.id).sort()).toEqual(accepted.map((a) => a.body.id).sort());
  });
});
