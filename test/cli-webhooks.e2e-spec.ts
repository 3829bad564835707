import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli, type CliRun } from './support/cli-process.js';
import { createProject, createProxy, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { eventually, startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/** Webhooks may reach 127.0.0.1 only here; retries are shrunk (5 s → 50 ms). */
const serviceEnv = (prefix: string) => ({ QUEUE_PREFIX: prefix, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_SCALE: '0.001', WEBHOOK_TIMEOUT_MS: '5000' });

/** A fake gateway admin API that takes every deployment. */
async function startGateway(): Promise<{ server: Server; adminUrl: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, adminUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/gw` };
}

describe('the CLI manages webhooks and gives jobs their own', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let workDir: string;
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  const receivers: WebhookReceiver[] = [];
  const prefix = `${testEnv().queuePrefix}-cli-webhooks`;

  beforeAll(async () => {
    [api, worker, gateway] = await Promise.all([startProcess('api', serviceEnv(prefix)), startProcess('worker', serviceEnv(prefix)), startGateway()]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    workDir = await mkdtemp(join(tmpdir(), 'apiferry-cli-webhooks-'));
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop(), gateway && new Promise<void>((resolve) => gateway.server.close(() => resolve()))]);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });
  afterEach(async () => {
    await Promise.all(receivers.splice(0).map((r) => r.stop()));
  });

  const receiver = async () => {
    const started = await WebhookReceiver.start();
    receivers.push(started);
    return started;
  };

  /**
   * The first delivery of a job's webhook may come before the CLI has exited and the test
   * has read the secret: the receiver then refuses it (401) and the retry, 50 ms later, verifies.
   */
  function verifiedDelivery(hooks: WebhookReceiver, path: string, secretIndex: number) {
    return eventually(async () => hooks.received.find((d) => d.path === path && d.verifiedBy.includes(secretIndex)), `a delivery to ${path} verified by secret ${secretIndex}`, 30_000, 50);
  }

  function cli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
    return runCli(args, { HOME: workDir, APIFERRY_CONFIG: join(workDir, 'config.json'), APIFERRY_SERVER: api.url, APIFERRY_TOKEN: testEnv().adminToken, ...env }, { cwd: workDir });
  }

  async function json(args: string[]): Promise<any> {
    const run = await cli([...args, '--output', 'json']);
    expect({ args, code: run.code, stderr: run.stderr }).toMatchObject({ code: 0 });
    return JSON.parse(run.stdout);
  }

  it('create prints the secret once; list, disable, enable, deliveries, redeliver, rotate-secret and delete', async () => {
    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'orders' });
    const hooks = await receiver();

    const created = await cli(['webhooks', 'create', '--project', project, '--url', hooks.url(), '--events', 'job.succeeded,job.failed']);
    expect(created.code).toBe(0);
    const secret = /^(whsec_\S+)$/m.exec(created.stdout)?.[1];
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(created.stdout).toContain('signing secret (shown only now');
    hooks.secrets.push(secret!);
    const id = /^id\s+(\S+)$/m.exec(created.stdout)?.[1] as string;

    const listed = await cli(['webhooks', 'list', '--project', project]);
    expect(listed.stdout).toMatch(new RegExp(`${id}\\s+${hooks.url().replace(/[.]/g, '\\.')}\\s+job\\.succeeded,job\\.failed\\s+yes`));
    expect(listed.stdout).not.toContain(secret);
    const shown = await json(['webhooks', 'get', '--project', project, id]);
    expect(shown).toMatchObject({ id, url: hooks.url(), events: ['job.succeeded', 'job.failed'], enabled: true });
    expect(shown).not.toHaveProperty('secret');

    // An export's job.succeeded reaches the receiver, signed with the printed secret.
    expect((await cli(['export', '--project', project, '-o', join(workDir, `${uniqueName('a')}.zip`)])).code).toBe(0);
    const [first] = await hooks.waitForCount(1, 'the job.succeeded delivery');
    expect(first!.verifiedBy).toEqual([0]);
    expect(first!.event).toMatchObject({ type: 'job.succeeded', data: { project, state: 'succeeded' } });

    const log = await eventually(async () => {
      const page = await json(['webhooks', 'deliveries', '--project', project, id]);
      return page.items[0]?.state === 'succeeded' ? page.items : undefined;
    }, 'the delivery to be logged as succeeded');
    expect(log).toEqual([expect.objectContaining({ eventType: 'job.succeeded', attempt: 1, trigger: 'event', statusCode: 204, webhookId: first!.headers['webhook-id'] })]);
    const table = await cli(['webhooks', 'deliveries', '--project', project, id]);
    expect(table.stdout).toMatch(new RegExp(`${log[0].id}\\s+job\\.succeeded\\s+${log[0].webhookId}\\s+1\\s+event\\s+succeeded\\s+204`));
    expect((await json(['webhooks', 'deliveries', '--project', project, id, '--state', 'failed'])).items).toEqual([]);

    // Redelivery: the same message (webhook-id) again, as attempt 2.
    const redelivered = await cli(['webhooks', 'redeliver', '--project', project, id, log[0].id]);
    expect(redelivered.code).toBe(0);
    expect(redelivered.stdout).toContain(`redelivery of ${log[0].webhookId} (job.succeeded) queued as attempt 2`);
    const [, again] = await hooks.waitForCount(2, 'the redelivery');
    expect(again!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(again!.verifiedBy).toEqual([0]);

    // Disabled: nothing is sent and a redelivery is refused (409, exit 1) until enabled again.
    expect((await cli(['webhooks', 'disable', '--project', project, id])).stdout).toContain(`webhook ${id} disabled`);
    expect((await cli(['webhooks', 'list', '--project', project])).stdout).toMatch(/no: Disabled through the API\./);
    const refused = await cli(['webhooks', 'redeliver', '--project', project, id, log[0].id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: .*disabled/im);
    expect((await cli(['webhooks', 'enable', '--project', project, id])).code).toBe(0);
    expect(await json(['webhooks', 'get', '--project', project, id])).toMatchObject({ enabled: true, disabledReason: null });

    // A new secret, printed once; the old one keeps signing beside it.
    const rotated = await json(['webhooks', 'rotate-secret', '--project', project, id]);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.previousSecretExpiresAt).not.toBeNull();
    hooks.secrets.push(rotated.secret);
    expect((await cli(['export', '--project', project, '-o', join(workDir, `${uniqueName('b')}.zip`)])).code).toBe(0);
    const [, , third] = await hooks.waitForCount(3, 'a delivery after the rotation');
    expect(third!.verifiedBy).toEqual([0, 1]);

    expect((await cli(['webhooks', 'delete', '--project', project, id])).stdout).toContain(`webhook ${id} deleted`);
    expect((await cli(['webhooks', 'list', '--project', project])).stdout.trim()).toBe(`no webhooks in ${project}`);
    const gone = await cli(['webhooks', 'get', '--project', project, id]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/^error: Not found: .*has no webhook endpoint/m);
  });

  it('update changes an endpoint\'s URL and events, keeps its secret, and refuses an update that names nothing', async () => {
    const project = await createProject(admin);
    const hooks = await receiver();
    const created = await json(['webhooks', 'create', '--project', project, '--url', hooks.url('/before')]);
    const updated = await json(['webhooks', 'update', '--project', project, created.id, '--url', hooks.url('/after'), '--events', 'job.failed']);
    expect(updated).toMatchObject({ id: created.id, url: hooks.url('/after'), events: ['job.failed'] });
    expect(updated.secret).toBeUndefined();
    expect(await json(['webhooks', 'get', '--project', project, created.id])).toMatchObject({ url: hooks.url('/after'), events: ['job.failed'] });
    const eventsOnly = await json(['webhooks', 'update', '--project', project, created.id, '--events', 'job.succeeded,deployment.completed']);
    expect(eventsOnly).toMatchObject({ url: hooks.url('/after'), events: ['job.succeeded', 'deployment.completed'] });

    const nothing = await cli(['webhooks', 'update', '--project', project, created.id]);
    expect(nothing.code).toBe(3);
    expect(nothing.stderr).toContain('needs --url, --events or both');
    expect((await cli(['webhooks', 'update', '--project', project, created.id, '--url', 'ftp://x'])).code).toBe(3);
    const metadata = await cli(['webhooks', 'update', '--project', project, created.id, '--url', 'http://169.254.169.254/latest']);
    expect(metadata.code).toBe(1);
    expect(await json(['webhooks', 'get', '--project', project, created.id])).toMatchObject({ url: hooks.url('/after') });
  });

  it('refuses bad webhook options as usage errors, and a URL the server will not target with its reason', async () => {
    const project = await createProject(admin);
    expect((await cli(['webhooks', 'create', '--project', project, '--url', 'ftp://x'])).code).toBe(3);
    const badEvent = await cli(['webhooks', 'create', '--project', project, '--url', 'http://127.0.0.1:1/x', '--events', 'job.done']);
    expect(badEvent.code).toBe(3);
    expect(badEvent.stderr).toContain('unknown event "job.done"');
    expect((await cli(['export', '--project', project, '--no-wait', '--webhook-events', 'job.failed'])).code).toBe(3);

    const metadata = await cli(['webhooks', 'create', '--project', project, '--url', 'http://169.254.169.254/latest']);
    expect(metadata.code).toBe(1);
    expect(metadata.stderr).toMatch(/^error: .*169\.254\.169\.254 is not a public address/m);
    const jobHook = await cli(['export', '--project', project, '--no-wait', '--webhook-url', 'http://10.0.0.1/hook']);
    expect(jobHook.code).toBe(1);
    expect(jobHook.stderr).toMatch(/^error: .*10\.0\.0\.1/m);
    // No job was created for the refused request.
    expect((await admin.get(`/v1/jobs?project=${project}`)).body.items).toEqual([]);
  });

  it('--webhook-url gives export, import and deploy their own webhook: the secret is printed once and signs its events', async () => {
    const project = await createProject(admin);
    const proxy = await createProxy(admin, project, { name: 'orders' });
    const hooks = await receiver();

    // Text: the secret is on stderr at once, before the job ends.
    const archive = join(workDir, `${uniqueName('hooked')}.zip`);
    const exported = await cli(['export', '--project', project, '-o', archive, '--webhook-url', hooks.url('/export')]);
    expect(exported.code).toBe(0);
    const exportSecret = /signing secret \(shown only now\): (whsec_\S+)/.exec(exported.stderr)?.[1];
    expect(exportSecret).toMatch(/^whsec_/);
    expect(exported.stdout).not.toContain(exportSecret);
    hooks.secrets.push(exportSecret!);
    const exportEvent = await verifiedDelivery(hooks, '/export', 0);
    expect(exportEvent.verifiedBy).toEqual([0]);
    expect(exportEvent.event).toMatchObject({ type: 'job.succeeded', data: { project, kind: 'archive.export' } });

    // JSON: the final document carries the webhook with its secret (the one time it is printed).
    const target = await createProject(admin);
    const imported = await cli(['import', '--project', target, archive, '--webhook-url', hooks.url('/import'), '--webhook-events', 'job.succeeded', '--output', 'json']);
    expect(imported.code).toBe(0);
    const importJob = JSON.parse(imported.stdout);
    expect(importJob.webhook).toMatchObject({ url: hooks.url('/import'), events: ['job.succeeded'], secret: expect.stringMatching(/^whsec_/) });
    hooks.secrets.push(importJob.webhook.secret);
    const importEvent = await verifiedDelivery(hooks, '/import', 1);
    expect(importEvent.verifiedBy).toEqual([1]);
    expect(importEvent.event).toMatchObject({ type: 'job.succeeded', data: { jobId: importJob.id } });
    // Afterwards the job shows its webhook, never the secret.
    const shown = await cli(['jobs', 'get', importJob.id]);
    expect(shown.stdout).toMatch(new RegExp(`^webhook\\s+${hooks.url('/import').replace(/[.]/g, '\\.')} \\(${importJob.webhook.id}; job\\.succeeded\\)$`, 'm'));
    expect(shown.stdout).not.toContain(importJob.webhook.secret);

    // Deploy: deployment.completed per environment, and its delivery log by the webhook's id.
    const environment = uniqueName('prod');
    expect((await admin.post(`/v1/projects/${project}/environments`, { name: environment, driver: 'http', settings: { adminUrl: gateway.adminUrl } })).status).toBe(201);
    const deployed = await cli(['deploy', '--project', project, '--proxy', 'orders', '--env', environment, '--webhook-url', hooks.url('/deploy'), '--webhook-events', 'deployment.completed', '--output', 'json']);
    expect(deployed.code).toBe(0);
    const deployJob = JSON.parse(deployed.stdout);
    hooks.secrets.push(deployJob.webhook.secret);
    const deployEvent = await verifiedDelivery(hooks, '/deploy', 2);
    expect(deployEvent.verifiedBy).toEqual([2]);
    expect(deployEvent.event).toMatchObject({ type: 'deployment.completed', data: { jobId: deployJob.id, environment, success: true, proxy: expect.stringMatching(new RegExp(`^(${proxy.uuid}|orders)$`)) } });
    const log = await eventually(async () => {
      const page = await json(['webhooks', 'deliveries', '--project', project, deployJob.webhook.id]);
      return page.items[0]?.state === 'succeeded' ? page.items : undefined;
    }, 'the job webhook delivery log');
    // Newest first: the verified attempt, after any refused before the secret was known.
    expect(log[0]).toMatchObject({ eventType: 'deployment.completed', jobId: deployJob.id, statusCode: 204 });
    expect(log.every((d: any) => d.eventType === 'deployment.completed' && d.jobId === deployJob.id)).toBe(true);
  });
});
