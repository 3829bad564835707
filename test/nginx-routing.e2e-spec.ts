import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { initNginxConfigDir } from '#deploy';
import { getOnce, startBackend, steadyLoad, tally, type Backend } from './support/backends.js';
import { createProject, createProxy, proxyBody, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { finishedJob } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { freePort } from './support/private-servers.js';
import { testEnv } from './support/test-env.js';

const NGINX = '/usr/sbin/nginx';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The routing algorithms of the nginx driver, proven with real traffic: proxies deployed
 * through the API to a private nginx on loopback, in front of two backends that answer
 * with their own id.
 */
(existsSync(NGINX) ? describe : describe.skip)('nginx routing with real traffic', () => {
  const prefix = `${testEnv().queuePrefix}-${uniqueName('nginx-routing')}`;
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let project: string;
  let env: string;
  let configDir: string;
  let listenPort: number;
  let a: Backend;
  let b: Backend;

  beforeAll(async () => {
    [a, b] = await Promise.all([startBackend('a'), startBackend('b')]);
    configDir = mkdtempSync(join(tmpdir(), 'apiferry-nginx-routing-'));
    listenPort = await freePort();
    const main = await initNginxConfigDir({ configDir, listenPort });
    execFileSync(NGINX, ['-c', main], { stdio: 'ignore' });
    [api, worker] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix })]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    project = await createProject(admin);
    env = uniqueName('edge');
    const created = await admin.post(`/v1/projects/${project}/environments`, { name: env, driver: 'nginx', settings: { configDir, listenPort } });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
    try {
      execFileSync(NGINX, ['-s', 'quit', '-c', join(configDir, 'nginx.conf')], { stdio: 'ignore' });
    } catch {
      // not running
    }
    await Promise.all([a?.close(), b?.close()]);
    await sleep(300);
    rmSync(configDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    for (const backend of [a, b]) {
      backend.hits = 0;
      backend.delayMs = 0;
    }
  });

  const gateway = (path: string) => `http://127.0.0.1:${listenPort}${path}`;
  const both = (weights: [number?, number?] = []) => [
    { address: a.url, ...(weights[0] ? { weight: weights[0] } : {}) },
    { address: b.url, ...(weights[1] ? { weight: weights[1] } : {}) },
  ];

  /** Creates (or updates) the proxy with this routing and deploys it through the API, waiting for the job. */
  async function deploy(name: string, routing: Record<string, unknown>, update = false): Promise<void> {
    if (update) {
      const put = await admin.put(`/v1/projects/${project}/apiProxies/${name}`, proxyBody({ name, basePath: `/${name}`, routing }));
      expect(put.status).toBe(200);
    } else {
      await createProxy(admin, project, { name, basePath: `/${name}`, routing });
    }
    const job = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/${name}/deployments`, { environments: [env] }));
    expect(job.state).toBe('succeeded');
    expect(job.result.deploymentResult).toMatchObject({ success: true, environmentResults: [{ environmentName: env, success: true }] });
  }

  it('ROUND_ROBIN splits 100 requests about evenly', async () => {
    await deploy('rr', { algorithm: 'ROUND_ROBIN', addressList: both() });
    const counts = await tally(() => gateway('/rr/x'), 100);
    console.log('ROUND_ROBIN', counts);
    expect(counts.a).toBeGreaterThanOrEqual(40);
    expect(counts.a).toBeLessThanOrEqual(60);
    expect(counts.b).toBeGreaterThanOrEqual(40);
    expect(counts.b).toBeLessThanOrEqual(60);
    expect(counts.a + counts.b).toBe(100);
  });

  it('WEIGHTED_ROUND_ROBIN with weights 3 and 1 gives about 3:1', async () => {
    await deploy('wrr', { algorithm: 'WEIGHTED_ROUND_ROBIN', addressList: both([3, 1]) });
    const counts = await tally(() => gateway('/wrr/x'), 400);
    console.log('WEIGHTED_ROUND_ROBIN 3:1', counts);
    expect(counts.a + counts.b).toBe(400);
    const ratio = counts.a / counts.b;
    expect(ratio).toBeGreaterThanOrEqual(2.5);
    expect(ratio).toBeLessThanOrEqual(3.5);
  });

  it('RANDOM sends traffic to both backends', async () => {
    await deploy('rnd', { algorithm: 'RANDOM', addressList: both() });
    const counts = await tally(() => gateway('/rnd/x'), 200);
    console.log('RANDOM', counts);
    expect(counts.a).toBeGreaterThanOrEqual(50);
    expect(counts.b).toBeGreaterThanOrEqual(50);
  });

  it('IP_HASH keeps every request from 127.0.0.1 on one backend', async () => {
    await deploy('iph', { algorithm: 'IP_HASH', addressList: both() });
    const counts = await tally((i) => gateway(`/iph/p${i}`), 60);
    console.log('IP_HASH', counts);
    expect(Object.keys(counts)).toHaveLength(1);
    expect(Object.values(counts)[0]).toBe(60);
  });

  it('URL_HASH sends the same path to the same backend and spreads distinct paths', async () => {
    await deploy('urlh', { algorithm: 'URL_HASH', addressList: both() });
    const owner = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          const answer = await getOnce(gateway(`/urlh/items/${i}?q=${i * 7}`));
          expect(answer.status).toBe(200);
          const path = `/items/${i}`;
          owner.set(path, (owner.get(path) ?? new Set()).add(answer.body));
        }),
      );
    }
    const perBackend = { a: 0, b: 0 } as Record<string, number>;
    for (const [path, backends] of owner) {
      expect({ path, backends: [...backends] }).toEqual({ path, backends: [expect.any(String)] });
      perBackend[[...backends][0]] += 1;
    }
    console.log('URL_HASH paths per backend', perBackend);
    expect(owner.size).toBe(50);
    expect(perBackend.a).toBeGreaterThan(0);
    expect(perBackend.b).toBeGreaterThan(0);
  });

  it('LEAST_CONNECTIONS avoids the backend that is busy', async () => {
    await deploy('lc', { algorithm: 'LEAST_CONNECTIONS', addressList: both() });
    a.delayMs = 1_000;
    // Two requests at once: with no connections anywhere least_conn sends one to each,
    // so A is busy for a second with one of them.
    const primers = [getOnce(gateway('/lc/prime')), getOnce(gateway('/lc/prime'))];
    await sleep(200);
    expect(a.active).toBe(1);
    // 20 requests, all in flight together with A's slow one, started 10 ms apart.
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        await sleep(i * 10);
        return getOnce(gateway(`/lc/r${i}`));
      }),
    );
    await Promise.all(primers);
    const counts = answers.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.body]: (acc[r.body] ?? 0) + 1 }), {});
    console.log('LEAST_CONNECTIONS (A slow)', counts);
    expect(answers.every((r) => r.status === 200)).toBe(true);
    expect(counts.b ?? 0).toBeGreaterThanOrEqual(14);
  });

  it('redeploying with changed routing 10 times under load fails no request', async () => {
    // Backends answer after 30 ms so that requests are in flight during every reload.
    a.delayMs = 30;
    b.delayMs = 30;
    const routings = [
      { algorithm: 'ROUND_ROBIN', addressList: both() },
      { algorithm: 'LEAST_CONNECTIONS', addressList: both() },
      { algorithm: 'WEIGHTED_ROUND_ROBIN', addressList: both([3, 1]) },
      { algorithm: 'RANDOM', addressList: both() },
      { algorithm: 'URL_HASH', addressList: both() },
      { algorithm: 'IP_HASH', addressList: both() },
      { algorithm: 'WEIGHTED_ROUND_ROBIN', addressList: both([1, 4]) },
      { algorithm: 'ROUND_ROBIN', addressList: [{ address: b.url }] },
      { algorithm: 'LEAST_CONNECTIONS', addressList: [{ address: a.url }] },
      { algorithm: 'RANDOM', addressList: both() },
    ];
    await deploy('zdt', { algorithm: 'ROUND_ROBIN', addressList: both() });
    const load = steadyLoad(gateway('/zdt/x'), 20);
    const started = Date.now();
    try {
      for (const routing of routings) {
        await deploy('zdt', routing, true);
        // The change is live: a proxy routed to one backend only answers from it.
        if (routing.addressList.length === 1) expect((await getOnce(gateway('/zdt/check'))).body).toBe(routing.addressList[0].address === a.url ? 'a' : 'b');
      }
    } finally {
      const { ok, failures } = await load.stop();
      console.log(`zero downtime: ${ok} requests ok, ${failures.length} failed during 10 redeploys in ${Date.now() - started} ms`, failures.slice(0, 5));
      expect(failures).toEqual([]);
      expect(ok).toBeGreaterThan(100);
    }
    const state = (await admin.get(`/v1/projects/${project}/apiProxies/zdt/deployments`)).body.items;
    expect(state).toMatchObject([{ environment: env, status: 'deployed', current: true }]);
  });
});
