import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createProject, createProxy } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { downloadArtifact, finishedJob, importForm } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

/** What a newcomer gets from `npm start`: PGlite, a local S3-compatible store, worker in process. */
describe('npm start (embedded defaults)', () => {
  let service: RunningProcess;
  let dataDir: string;
  let admin: ApiClient;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'apiferry-standalone-'));
    service = await startProcess('standalone', {
      DATA_DIR: dataDir,
      DATABASE_URL: '',
      S3_ENDPOINT: '',
      S3_ACCESS_KEY_ID: '',
      S3_SECRET_ACCESS_KEY: '',
      QUEUE_PREFIX: `${testEnv().queuePrefix}-standalone`,
    });
    admin = new ApiClient(service.url, testEnv().adminToken);
  });
  afterAll(async () => {
    await service?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('runs an export and an import end to end on the embedded database and object store', async () => {
    const ready = await admin.get('/health/ready');
    expect(ready.body.status).toBe('ok');
    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'embedded' });
    const exported = await finishedJob(admin, await admin.post(`/v1/projects/${project}/exports`, {}));
    expect(exported.state).toBe('succeeded');
    const archive = await downloadArtifact(admin, exported.id);
    const target = await createProject(admin);
    const imported = await finishedJob(admin, await importForm(admin, target, archive));
    expect(imported.state).toBe('succeeded');
    expect((await admin.get(`/v1/projects/${target}/apiProxies/embedded`)).status).toBe(200);
  });

  it('deploys to two environments in parallel on the embedded database (one connection)', async () => {
    const gateway = createServer((req, res) => {
      // A slow gateway: both environments hold their lock (a transaction) at the same time.
      setTimeout(() => res.writeHead(req.url?.startsWith('/b/') ? 500 : 200, { 'content-type': 'application/json' }).end('{"message":"b is down"}'), 200);
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
    try {
      const project = await createProject(admin);
      await createProxy(admin, project, { name: 'parallel' });
      await admin.post(`/v1/projects/${project}/environments`, { name: 'a', driver: 'http', settings: { adminUrl: `${base}/a` } });
      await admin.post(`/v1/projects/${project}/environments`, { name: 'b', driver: 'http', settings: { adminUrl: `${base}/b` } });
      const job = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/parallel/deployments`, { environments: ['a', 'b'] }));
      expect(job.state).toBe('succeeded');
      expect(job.result.deploymentResult.environmentResults.map((r: any) => [r.environmentName, r.success]).sort()).toEqual([
        ['a', true],
        ['b', false],
      ]);
      const listed = (await admin.get(`/v1/projects/${project}/apiProxies/parallel/deployments`)).body.items;
      expect(listed.map((d: any) => [d.environment, d.status])).toEqual([
        ['a', 'deployed'],
        ['b', 'failed'],
      ]);
    } finally {
      gateway.closeAllConnections();
      await new Promise((resolve) => gateway.close(resolve));
    }
  });
});
