import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ObjectStore } from '#storage';
import { createProject, createProxy, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { finishedJob, importForm } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';
import { listProxies, proxyArchive } from './faults/drill-kit.js';

/** The archive limits are the operator's to set: ARCHIVE_MAX_ENTRIES here, on the worker. */
describe('operator-set archive limits', () => {
  const processes: RunningProcess[] = [];
  let admin: ApiClient;
  beforeAll(async () => {
    const env = { QUEUE_PREFIX: `${testEnv().queuePrefix}-${uniqueName('limits')}`, ARCHIVE_MAX_ENTRIES: '8' };
    processes.push(...(await Promise.all([startProcess('api', env), startProcess('worker', env)])));
    admin = new ApiClient(processes[0]!.url, testEnv().adminToken);
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
  });

  it('refuses to import an archive with more entries than ARCHIVE_MAX_ENTRIES, naming the limit, and changes nothing', async () => {
    const project = await createProject(admin);
    const { archive } = await proxyArchive(10, 'limited');
    const job = await finishedJob(admin, await importForm(admin, project, archive));
    expect(job.state).toBe('failed');
    expect(job.error.detail).toMatch(/11 entries; the limit is 8/);
    expect(await listProxies(admin, project)).toEqual([]);

    const small = await proxyArchive(3, 'small');
    expect((await finishedJob(admin, await importForm(admin, project, small.archive))).state).toBe('succeeded');
  });

  it('refuses to write an export past the limit rather than make an archive it would refuse to read', async () => {
    const project = await createProject(admin);
    for (let i = 0; i < 8; i++) await createProxy(admin, project, { name: `big-${i}`, basePath: `/big-${i}` });
    const job = await finishedJob(admin, await admin.post(`/v1/projects/${project}/exports`, {}));
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ status: 413, detail: expect.stringMatching(/8 entries, the manifest included.*ARCHIVE_\*/) });
    expect(job.attempts).toBe(1); // permanent: not retried
    const store = new ObjectStore({ ...testEnv().s3, forcePathStyle: true, createBucket: false });
    const projectId = (await admin.get(`/v1/projects/${project}`)).body.id as string;
    expect(await store.list(`exports/${projectId}/`)).toEqual([]);
    expect(await store.listMultipartUploads(`exports/${projectId}/`)).toEqual([]);
  });
});
