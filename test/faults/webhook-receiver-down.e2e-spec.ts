import { afterAll, describe, expect, it } from '@jest/globals';
import { createProject, uniqueName } from '../support/factory.js';
import { ApiClient } from '../support/http.js';
import { finishedJob } from '../support/jobs.js';
import { freePort } from '../support/private-servers.js';
import { eventually, startProcess, type RunningProcess } from '../support/service.js';
import { testEnv } from '../support/test-env.js';
import { WebhookReceiver } from '../support/webhook-receiver.js';

describe('fault drill: a webhook receiver that is down for the first attempts', () => {
  const processes: RunningProcess[] = [];
  let receiver: WebhookReceiver | undefined;
  afterAll(async () => {
    await Promise.all([...processes.map((p) => p.stop()), receiver?.stop()]);
  });

  it('gets every event later, once per webhook-id', async () => {
    const env = {
      QUEUE_PREFIX: `${testEnv().queuePrefix}-${uniqueName('drill-hooks')}`,
      WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
      WEBHOOK_RETRY_SCALE: '0.002', // 5 s → 50 ms, 5 min → 600 ms, 30 min → 3.6 s
    };
    const [api, worker] = await Promise.all([startProcess('api', env), startProcess('worker', env)]);
    processes.push(api, worker);
    const admin = new ApiClient(api.url, testEnv().adminToken);
    const project = await createProject(admin);
    const port = await freePort(); // nothing listens here yet: connections are refused
    const url = `http://127.0.0.1:${port}/hook`;
    const endpoint = await admin.post(`/v1/projects/${project}/webhooks`, { url, events: ['job.succeeded'] });
    expect(endpoint.status).toBe(201);

    const jobs: { id: string }[] = [];
    for (let i = 0; i < 3; i++) jobs.push(await finishedJob(admin, await admin.post(`/v1/projects/${project}/inventory`)));
    const log = async () => (await admin.get(`/v1/projects/${project}/webhooks/${endpoint.body.id}/deliveries?limit=100`)).body.items as any[];
    // Every event has failed at least twice before the receiver comes up.
    await eventually(async () => {
      const failed = (await log()).filter((i) => i.state === 'failed');
      return jobs.every((job) => failed.filter((i) => i.jobId === job.id).length >= 2) ? true : undefined;
    }, 'two failed attempts per event', 30_000);
    expect((await log()).find((i) => i.state === 'failed')?.error).toMatch(/ECONNREFUSED|refused/i);

    receiver = await WebhookReceiver.start('127.0.0.1', port);
    receiver.secrets.push(endpoint.body.secret);
    const delivered = await receiver.waitForCount(3, 'one delivery per event', undefined, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500)); // would a duplicate follow?
    expect(receiver.received).toHaveLength(3);
    expect(delivered.every((d) => d.status === 204 && d.verifiedBy.length === 1)).toBe(true);
    expect(new Set(delivered.map((d) => d.headers['webhook-id'])).size).toBe(3);
    expect(delivered.map((d) => d.event.data.jobId).sort()).toEqual(jobs.map((j) => j.id).sort());
    const final = await log();
    for (const job of jobs) expect(final.filter((i) => i.jobId === job.id && i.state === 'succeeded')).toHaveLength(1);
  });
});
