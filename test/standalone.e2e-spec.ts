import { mkdtemp, rm } from 'node:fs/promises';
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
});
