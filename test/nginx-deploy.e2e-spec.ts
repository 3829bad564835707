import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { initNginxConfigDir } from '#deploy';
import { createProject, createProxy, proxyBody, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { finishedJob } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

const NGINX = '/usr/sbin/nginx';

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The nginx driver against a private nginx instance on a loopback port, started and stopped by the test. */
(existsSync(NGINX) ? describe : describe.skip)('nginx deploy driver', () => {
  const prefix = `${testEnv().queuePrefix}-${uniqueName('nginx')}`;
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let backend: Server;
  let backendPort: number;
  let configDir: string;
  let listenPort: number;
  const seen: string[] = [];

  beforeAll(async () => {
    backend = createServer((req, res) => {
      seen.push(req.url ?? '');
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ from: 'backend', url: req.url }));
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    backendPort = (backend.address() as AddressInfo).port;
    configDir = mkdtempSync(join(tmpdir(), 'apiferry-nginx-'));
    listenPort = await freePort();
    const main = await initNginxConfigDir({ configDir, listenPort });
    execFileSync(NGINX, ['-c', main], { stdio: 'ignore' });
    [api, worker] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix })]);
    admin = new ApiClient(api.url, testEnv().adminToken);
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    try {
      execFileSync(NGINX, ['-s', 'quit', '-c', join(configDir, 'nginx.conf')], { stdio: 'ignore' });
    } catch {
      // not running
    }
    await new Promise((resolve) => backend?.close(resolve));
    await new Promise((resolve) => setTimeout(resolve, 300));
    rmSync(configDir, { recursive: true, force: true });
  });

  const gateway = (path: string) => fetch(`http://127.0.0.1:${listenPort}${path}`);

  it('deploys a proxy into nginx, serves maintenance mode, keeps the live config when nginx -t fails, and undeploys', async () => {
    const project = await createProject(admin);
    const env = uniqueName('edge');
    expect((await admin.post(`/v1/projects/${project}/environments`, { name: env, driver: 'nginx', settings: { configDir, listenPort } })).status).toBe(201);
    const routing = { algorithm: 'LEAST_CONNECTIONS', addressList: [{ address: `http://127.0.0.1:${backendPort}` }] };
    await createProxy(admin, project, { name: 'shop', basePath: '/shop', routing });

    const deployed = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/shop/deployments`, { environments: [env] }));
    expect(deployed.result.deploymentResult).toMatchObject({ success: true, environmentResults: [{ environmentName: env, success: true }] });
    const served = await gateway('/shop/items?x=1');
    expect(served.status).toBe(200);
    expect(served.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(await served.json()).toEqual({ from: 'backend', url: '/items?x=1' });

    const body = proxyBody({ name: 'shop', basePath: '/shop', routing, maintenanceMode: true });
    expect((await admin.put(`/v1/projects/${project}/apiProxies/shop`, body)).status).toBe(200);
    const maintenance = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/shop/deployments`, { environments: [env] }));
    expect(maintenance.result.deploymentResult.success).toBe(true);
    const closed = await gateway('/shop/items');
    expect(closed.status).toBe(503);
    expect(await closed.json()).toMatchObject({ error: 'maintenance' });

    const unresolvable = { ...body, maintenanceMode: false, routing: { algorithm: 'URL_HASH', addressList: [{ address: 'http://no-such-backend.invalid:8080' }] } };
    expect((await admin.put(`/v1/projects/${project}/apiProxies/shop`, unresolvable)).status).toBe(200);
    const refused = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/shop/deployments`, { environments: [env] }));
    expect(refused.result.deploymentResult.environmentResults[0]).toMatchObject({ success: false, message: expect.stringContaining('nginx rejected the configuration') });
    expect((await gateway('/shop/items')).status).toBe(503); // the last good configuration still serves
    const state = (await admin.get(`/v1/projects/${project}/apiProxies/shop/deployments`)).body.items;
    expect(state).toMatchObject([{ environment: env, status: 'failed' }]);

    const undeployed = await finishedJob(admin, await admin.request('DELETE', `/v1/projects/${project}/apiProxies/shop/deployments`, { environments: [env] }));
    expect(undeployed.result.deploymentResult.success).toBe(true);
    expect((await gateway('/shop/items')).status).toBe(404);
  });
});
