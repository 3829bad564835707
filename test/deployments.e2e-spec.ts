import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createProject, createProxy, createToken, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { downloadArtifact, finishedJob, importForm } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

interface GatewayCall {
  environment: string;
  method: string;
  uuid: string;
  body?: any;
}

/**
 * A fake gateway admin API on 127.0.0.1: each environment gets its own path prefix
 * (`/{environment}/proxies/{uuid}`); it records PUT and DELETE calls, and answers 2xx
 * unless told to refuse for an environment.
 */
class FakeGateway {
  readonly calls: GatewayCall[] = [];
  readonly refusing = new Map<string, { status: number; message: string }>();
  private constructor(
    private readonly server: Server,
    private readonly port: number,
  ) {}

  static async start(): Promise<FakeGateway> {
    let gateway: FakeGateway | undefined;
    const server = createServer((req, res) => void gateway?.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    gateway = new FakeGateway(server, (server.address() as AddressInfo).port);
    return gateway;
  }

  adminUrl(environment: string): string {
    return `http://127.0.0.1:${this.port}/${environment}`;
  }

  callsFor(environment: string, method?: string): GatewayCall[] {
    return this.calls.filter((c) => c.environment === environment && (!method || c.method === method));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const [, environment, , uuid] = (req.url ?? '').split('/');
    const text = Buffer.concat(chunks).toString('utf8');
    this.calls.push({ environment, method: req.method ?? '', uuid, ...(text ? { body: JSON.parse(text) } : {}) });
    const refusal = this.refusing.get(environment);
    res.setHeader('content-type', 'application/json');
    if (refusal) {
      res.statusCode = refusal.status;
      res.end(JSON.stringify({ message: refusal.message }));
      return;
    }
    res.statusCode = req.method === 'DELETE' ? 200 : 201;
    res.end(JSON.stringify({ ok: true }));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const env = (prefix: string) => ({ QUEUE_PREFIX: prefix, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_SCALE: '0.001' });

describe('deployments', () => {
  const prefix = `${testEnv().queuePrefix}-${uniqueName('deploy')}`;
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let gateway: FakeGateway;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    [api, worker, gateway, receiver] = await Promise.all([startProcess('api', env(prefix)), startProcess('worker', env(prefix)), FakeGateway.start(), WebhookReceiver.start()]);
    admin = new ApiClient(api.url, testEnv().adminToken);
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop(), gateway?.stop(), receiver?.stop()]);
  });

  async function environment(project: string, name: string) {
    const created = await admin.post(`/v1/projects/${project}/environments`, { name, driver: 'http', settings: { adminUrl: gateway.adminUrl(name) } });
    expect(created.status).toBe(201);
  }

  async function exportedArchive(proxies: string[]): Promise<Buffer> {
    const source = await createProject(admin);
    for (const name of proxies) await createProxy(admin, source, { name });
    const job = await finishedJob(admin, await admin.post(`/v1/projects/${source}/exports`, {}));
    expect(job.state).toBe('succeeded');
    return downloadArtifact(admin, job.id);
  }

  it('deploys every imported proxy after the import commits; a refusing environment fails alone and the import stays', async () => {
    const archive = await exportedArchive(['orders', 'billing']);
    const target = await createProject(admin);
    const good = uniqueName('good');
    const bad = uniqueName('bad');
    await environment(target, good);
    await environment(target, bad);
    gateway.refusing.set(bad, { status: 409, message: 'gateway is frozen for maintenance' });
    const hook = await admin.post(`/v1/projects/${target}/webhooks`, { url: receiver.url('/deploy-hook'), events: ['deployment.completed'] });
    expect(hook.status).toBe(201);
    receiver.secrets.push(hook.body.secret);

    const job = await finishedJob(admin, await importForm(admin, target, archive, { deploy: true, deployTargetEnvironmentNameList: [good, bad] }));
    expect(job.state).toBe('succeeded');
    expect(job.result.applied).toBe(true);
    const results = [...job.result.deploymentResult.environmentResults].sort((a: any, b: any) => (a.environmentName === good ? -1 : b.environmentName === good ? 1 : 0));
    expect(job.result.deploymentResult.success).toBe(false);
    expect(job.result.deploymentResult.message).toContain(bad);
    expect(results).toMatchObject([
      { environmentName: good, success: true },
      { environmentName: bad, success: false, message: expect.stringContaining('gateway is frozen for maintenance') },
    ]);

    const proxies = (await admin.get(`/v1/projects/${target}/apiProxies`)).body.items;
    expect(proxies.map((p: any) => p.name).sort()).toEqual(['billing', 'orders']);
    const orders = proxies.find((p: any) => p.name === 'orders');
    const pushed = gateway.callsFor(good, 'PUT').find((c) => c.uuid === orders.uuid);
    expect(pushed?.body).toMatchObject({ uuid: orders.uuid, name: 'orders', basePath: orders.basePath, revision: orders.revision });
    expect(gateway.callsFor(good, 'PUT')).toHaveLength(2);

    const listed = await admin.get(`/v1/projects/${target}/apiProxies/orders/deployments`);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ environment: good, revision: orders.revision, status: 'deployed' }),
        expect.objectContaining({ environment: bad, revision: orders.revision, status: 'failed', message: expect.stringContaining('frozen') }),
      ]),
    );

    const events = await receiver.waitForCount(4, 'deployment.completed events', '/deploy-hook');
    expect(events.every((e) => e.verifiedBy.length === 1)).toBe(true);
    const bodies = events.map((e) => e.event);
    expect(bodies.every((b) => b.type === 'deployment.completed' && b.data.jobId === job.id && b.data.project === target)).toBe(true);
    expect(bodies.filter((b) => b.data.environment === bad).map((b) => b.data.success)).toEqual([false, false]);
    expect(bodies.find((b) => b.data.environment === good && b.data.proxy === 'orders')?.data.success).toBe(true);
  });

  it('deploys and undeploys one proxy as jobs with per-environment results', async () => {
    const project = await createProject(admin);
    const proxy = await createProxy(admin, project, { name: 'catalogue' });
    const [a, b] = [uniqueName('env-a'), uniqueName('env-b')];
    await environment(project, a);
    await environment(project, b);

    const deployed = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/catalogue/deployments`, { environments: [a, b] }));
    expect(deployed.kind).toBe('proxy.deploy');
    expect(deployed.state).toBe('succeeded');
    expect(deployed.result.deploymentResult).toMatchObject({ success: true });
    expect(deployed.result.deploymentResult.environmentResults.map((r: any) => [r.environmentName, r.success]).sort()).toEqual([
      [a, true],
      [b, true],
    ]);
    expect(gateway.callsFor(a, 'PUT').map((c) => c.uuid)).toEqual([proxy.uuid]);
    const listed = (await admin.get(`/v1/projects/${project}/apiProxies/${proxy.uuid}/deployments`)).body.items;
    expect(listed.map((d: any) => [d.environment, d.status, d.revision]).sort()).toEqual([
      [a, 'deployed', proxy.revision],
      [b, 'deployed', proxy.revision],
    ]);

    const shown = (await admin.get(`/v1/projects/${project}/apiProxies/catalogue`)).body.deployments;
    expect(shown.map((d: any) => [d.environment, d.status, d.revision, d.current]).sort()).toEqual([
      [a, 'deployed', proxy.revision, true],
      [b, 'deployed', proxy.revision, true],
    ]);

    // The same revision again is a no-op, reported as such: the gateway is not called.
    const again = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/catalogue/deployments`, { environments: [a] }));
    expect(again.result.deploymentResult.environmentResults[0].proxies[0]).toMatchObject({ success: true, unchanged: true });
    expect(again.result.deploymentResult.environmentResults[0].message).toContain('already deployed');
    expect(gateway.callsFor(a, 'PUT')).toHaveLength(1);

    const undeployRequest = await admin.request('DELETE', `/v1/projects/${project}/apiProxies/catalogue/deployments`, { environments: [a] });
    const undeployed = await finishedJob(admin, undeployRequest);
    expect(undeployed.kind).toBe('proxy.undeploy');
    expect(undeployed.result.deploymentResult).toMatchObject({ success: true, environmentResults: [{ environmentName: a, success: true }] });
    expect(gateway.callsFor(a, 'DELETE').map((c) => c.uuid)).toEqual([proxy.uuid]);
    const after = (await admin.get(`/v1/projects/${project}/apiProxies/catalogue/deployments`)).body.items;
    expect(after.map((d: any) => d.environment)).toEqual([b]);
  });

  it('refuses deploying without DEPLOY_UNDEPLOY (403) and unknown environments up front (400)', async () => {
    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'guarded' });
    const known = uniqueName('known');
    await environment(project, known);

    const importer = admin.withToken(await createToken(admin, [{ project, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }]));
    const denied = await importer.post(`/v1/projects/${project}/apiProxies/guarded/deployments`, { environments: [known] });
    expect(denied.status).toBe(403);
    const deniedUndeploy = await importer.request('DELETE', `/v1/projects/${project}/apiProxies/guarded/deployments`, { environments: [known] });
    expect(deniedUndeploy.status).toBe(403);

    const unknown = await admin.post(`/v1/projects/${project}/apiProxies/guarded/deployments`, { environments: [known, 'nowhere'] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toContain('nowhere');
    const empty = await admin.post(`/v1/projects/${project}/apiProxies/guarded/deployments`, { environments: [] });
    expect(empty.status).toBe(400);
    const missingProxy = await admin.post(`/v1/projects/${project}/apiProxies/absent/deployments`, { environments: [known] });
    expect(missingProxy.status).toBe(404);
    expect(gateway.callsFor(known)).toEqual([]);
  });

  it('checks an http environment adminUrl when it is given', async () => {
    const project = await createProject(admin);
    const bad = await admin.post(`/v1/projects/${project}/environments`, { name: 'x', driver: 'http', settings: { adminUrl: 'ftp://gateway' } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('adminUrl');
  });
});
