import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { initNginxConfigDir } from '#deploy';
import { getOnce, startBackend } from './support/backends.js';
import { createProject, createProxy, proxyBody, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { finishedJob } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { freePort } from './support/private-servers.js';
import { testEnv } from './support/test-env.js';

const NGINX = '/usr/sbin/nginx';

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
    chmodSync(configDir, 0o755); // the nginx workers (not root) write the response cache under it
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
  it('caches responses of a cache-enabled proxy, and does not when the cache is disabled', async () => {
    const counted = await startBackend('counted');
    try {
      const project = await createProject(admin);
      const env = uniqueName('edge');
      expect((await admin.post(`/v1/projects/${project}/environments`, { name: env, driver: 'nginx', settings: { configDir, listenPort } })).status).toBe(201);
      const routing = { algorithm: 'ROUND_ROBIN', addressList: [{ address: counted.url }] };
      const body = proxyBody({ name: 'cached', basePath: '/cached', routing, cache: { enabled: true, ttlSeconds: 60 } });
      expect((await admin.post(`/v1/projects/${project}/apiProxies`, body)).status).toBe(201);
      const deployed = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/cached/deployments`, { environments: [env] }));
      expect(deployed.result.deploymentResult).toMatchObject({ success: true, environmentResults: [{ environmentName: env, success: true }] });

      counted.hits = 0;
      const statuses: (string | null)[] = [];
      for (let i = 0; i < 5; i++) {
        const answer = await gateway('/cached/items');
        expect(answer.status).toBe(200);
        expect(await answer.text()).toBe('counted');
        statuses.push(answer.headers.get('x-cache-status'));
      }
      expect(counted.hits).toBe(1);
      expect(statuses).toEqual(['MISS', 'HIT', 'HIT', 'HIT', 'HIT']);

      // A new revision with the cache still on never answers from the previous revision's cache.
      expect((await admin.put(`/v1/projects/${project}/apiProxies/cached`, { ...body, cors: { enabled: true, allowOrigins: ['https://cached.example.com'] } })).status).toBe(200);
      const redeployed = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/cached/deployments`, { environments: [env] }));
      expect(redeployed.result.deploymentResult.success).toBe(true);
      counted.hits = 0;
      const afterRedeploy: (string | null)[] = [];
      for (let i = 0; i < 3; i++) {
        const answer = await gateway('/cached/items');
        expect(answer.headers.get('access-control-allow-origin')).toBe('https://cached.example.com');
        await answer.arrayBuffer();
        afterRedeploy.push(answer.headers.get('x-cache-status'));
      }
      expect(afterRedeploy).toEqual(['MISS', 'HIT', 'HIT']);
      expect(counted.hits).toBe(1);
      const { uuid } = (await admin.get(`/v1/projects/${project}/apiProxies/cached`)).body as { uuid: string };
      expect(existsSync(join(configDir, 'cache', uuid))).toBe(true);

      expect((await admin.put(`/v1/projects/${project}/apiProxies/cached`, { ...body, cache: { enabled: false } })).status).toBe(200);
      const uncached = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/cached/deployments`, { environments: [env] }));
      expect(uncached.result.deploymentResult.success).toBe(true);
      counted.hits = 0;
      for (let i = 0; i < 5; i++) {
        const answer = await gateway('/cached/items');
        expect(answer.status).toBe(200);
        expect(answer.headers.get('x-cache-status')).toBeNull();
        await answer.arrayBuffer();
      }
      expect(counted.hits).toBe(5);
      expect(existsSync(join(configDir, 'cache', uuid))).toBe(false); // a cache turned off leaves nothing on disk

      const undeployed = await finishedJob(admin, await admin.request('DELETE', `/v1/projects/${project}/apiProxies/cached/deployments`, { environments: [env] }));
      expect(undeployed.result.deploymentResult.success).toBe(true);
    } finally {
      await counted.close();
    }
  });

  it('failure drills: one broken environment of two fails with its own reason while the other deploys and the old revision keeps serving', async () => {
    const secondDir = mkdtempSync(join(tmpdir(), 'apiferry-nginx-drill-'));
    const movedDir = `${secondDir}.moved`;
    const secondPort = await freePort();
    const held = createNetServer((socket) => socket.destroy());
    let heldOpen = false;
    const backendB = await startBackend('drill');
    try {
      execFileSync(NGINX, ['-c', await initNginxConfigDir({ configDir: secondDir, listenPort: secondPort })], { stdio: 'ignore' });
      const project = await createProject(admin);
      const [healthy, broken] = [uniqueName('edge'), uniqueName('edge-broken')];
      expect((await admin.post(`/v1/projects/${project}/environments`, { name: healthy, driver: 'nginx', settings: { configDir, listenPort } })).status).toBe(201);
      expect((await admin.post(`/v1/projects/${project}/environments`, { name: broken, driver: 'nginx', settings: { configDir: secondDir, listenPort: secondPort } })).status).toBe(201);
      const body = proxyBody({ name: 'drill', basePath: '/drill', routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: backendB.url }] } });
      expect((await admin.post(`/v1/projects/${project}/apiProxies`, body)).status).toBe(201);
      const deploy = async () => (await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/drill/deployments`, { environments: [healthy, broken] }))).result.deploymentResult;
      const resultOf = (result: { environmentResults: { environmentName: string }[] }, name: string) => result.environmentResults.find((r) => r.environmentName === name);
      const proxyHeader = async (port: number) => {
        const answer = await fetch(`http://127.0.0.1:${port}/drill/items`);
        expect(answer.status).toBe(200);
        expect(await answer.text()).toBe('drill');
        return answer.headers.get('x-apiferry-proxy');
      };

      const first = await deploy();
      expect(first.success).toBe(true);
      const firstHeader = await proxyHeader(secondPort);
      expect(firstHeader).toMatch(/;rev=\d+$/);
      expect(await proxyHeader(listenPort)).toBe(firstHeader);

      // (a) the configDir is no directory any more: the running nginx keeps its configuration.
      expect((await admin.put(`/v1/projects/${project}/apiProxies/drill`, { ...body, cors: { enabled: true, allowOrigins: ['https://drill.example.com'] } })).status).toBe(200);
      renameSync(secondDir, movedDir);
      writeFileSync(secondDir, 'not a directory');
      let result;
      try {
        result = await deploy();
      } finally {
        rmSync(secondDir, { force: true });
        renameSync(movedDir, secondDir);
      }
      expect(resultOf(result, healthy)).toMatchObject({ success: true });
      expect(resultOf(result, broken)).toMatchObject({ success: false, message: expect.stringContaining('not a directory') });
      const secondHeader = await proxyHeader(listenPort);
      expect(secondHeader).not.toBe(firstHeader);
      expect(await proxyHeader(secondPort)).toBe(firstHeader);

      // (a2) the configDir is read-only (a read-only bind mount: root ignores file modes).
      expect((await admin.put(`/v1/projects/${project}/apiProxies/drill`, { ...body, cors: { enabled: true, allowOrigins: ['https://readonly.example.com'] } })).status).toBe(200);
      execFileSync('mount', ['--bind', '-o', 'ro', secondDir, secondDir]);
      try {
        result = await deploy();
      } finally {
        execFileSync('umount', [secondDir]);
      }
      expect(resultOf(result, healthy)).toMatchObject({ success: true });
      expect(resultOf(result, broken)).toMatchObject({ success: false, message: expect.stringContaining('read-only file system') });
      expect(await proxyHeader(secondPort)).toBe(firstHeader);

      // (b) the environment moves to a port another process holds: nginx cannot bind it on reload.
      const heldPort = await freePort();
      await new Promise<void>((resolve) => held.listen(heldPort, '127.0.0.1', resolve));
      heldOpen = true;
      expect((await admin.put(`/v1/projects/${project}/environments/${broken}`, { driver: 'nginx', settings: { configDir: secondDir, listenPort: heldPort } })).status).toBe(200);
      expect((await admin.put(`/v1/projects/${project}/apiProxies/drill`, { ...body, cors: { enabled: true, allowOrigins: ['https://drill2.example.com'] } })).status).toBe(200);
      result = await deploy();
      expect(resultOf(result, healthy)).toMatchObject({ success: true });
      expect(resultOf(result, broken)).toMatchObject({ success: false, message: expect.stringContaining('Address already in use') });
      expect(await proxyHeader(listenPort)).not.toBe(secondHeader);
      expect(await proxyHeader(secondPort)).toBe(firstHeader); // the previous configuration still serves
      // ...and stays on disk: the next reload (by anyone) must not pick up the held port.
      const mainOnDisk = readFileSync(join(secondDir, 'nginx.conf'), 'utf8');
      expect(mainOnDisk).toContain(`:${secondPort};`);
      expect(mainOnDisk).not.toContain(`:${heldPort};`);

      // (c) once the port is free, the same deployment succeeds on it.
      await new Promise((resolve) => held.close(resolve));
      heldOpen = false;
      result = await deploy();
      expect(resultOf(result, broken)).toMatchObject({ success: true });
      expect(await proxyHeader(heldPort)).toBe(await proxyHeader(listenPort));
    } finally {
      try {
        execFileSync(NGINX, ['-s', 'quit', '-c', join(secondDir, 'nginx.conf')], { stdio: 'ignore' });
      } catch {
        // not running
      }
      if (heldOpen) await new Promise((resolve) => held.close(resolve));
      await backendB.close();
      await new Promise((resolve) => setTimeout(resolve, 300));
      rmSync(secondDir, { recursive: true, force: true });
      rmSync(movedDir, { recursive: true, force: true });
    }
  });
});
