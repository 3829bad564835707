import { afterAll, describe, expect, it } from '@jest/globals';
import { ObjectStore } from '#storage';
import { assetDocuments } from '../support/archives.js';
import { startCephRgw, type CephRgw } from '../support/ceph-rgw.js';
import { createProject, uniqueName } from '../support/factory.js';
import { ApiClient } from '../support/http.js';
import { downloadArtifact, finishedJob, importForm } from '../support/jobs.js';
import { startProcess, type RunningProcess } from '../support/service.js';
import { testEnv } from '../support/test-env.js';
import { DRILL_PROXIES, jobInPhase, proxyArchive, settledJob } from './drill-kit.js';

describe('fault drill: the S3 server stops in the middle of an export upload', () => {
  const processes: RunningProcess[] = [];
  let s3: CephRgw | undefined;
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await s3?.stop();
  });

  it('the attempt fails with a clear error, the job retries, and it completes once S3 is back, leaving no multipart upload open', async () => {
    // A gateway of its own: the drill kills it, and the other tests keep theirs.
    s3 = await startCephRgw({ memstoreBytes: 1024 ** 3 });
    const env = {
      QUEUE_PREFIX: `${testEnv().queuePrefix}-${uniqueName('drill-s3')}`,
      S3_ENDPOINT: s3.endpoint,
      S3_ACCESS_KEY_ID: s3.accessKeyId,
      S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
      S3_BUCKET: 'drill',
      JOB_BACKOFF_MS: '1000',
      JOB_ATTEMPTS: '8',
    };
    const [api, fastWorker] = await Promise.all([startProcess('api', env), startProcess('worker', env)]);
    processes.push(api);
    const admin = new ApiClient(api.url, testEnv().adminToken);
    const project = await createProject(admin);
    const { archive, names } = await proxyArchive(DRILL_PROXIES, 's3');
    expect((await finishedJob(admin, await importForm(admin, project, archive))).state).toBe('succeeded');
    await fastWorker.stop();
    const worker = await startProcess('worker', { ...env, JOB_STEP_DELAY_MS: '2' });
    processes.push(worker);

    const created = await admin.post(`/v1/projects/${project}/exports`, {});
    expect(created.status).toBe(202);
    await jobInPhase(admin, created.body.id, 'exporting proxies');
    await s3.stopGateway();
    // The attempt that was uploading fails; its failure names the object store.
    const failedAttempt = await eventuallyLogged(worker, created.body.id, 'job attempt failed');
    expect(failedAttempt).toMatch(/object store|S3|ECONNREFUSED|connect/i);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await s3.startGateway();

    const done = await settledJob(admin, created.body.id);
    expect(done.state).toBe('succeeded');
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    const docs = await assetDocuments(await downloadArtifact(admin, done.id));
    expect([...docs.values()].filter((d) => names.includes(d.name))).toHaveLength(DRILL_PROXIES);

    const store = new ObjectStore({ endpoint: s3.endpoint, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey, region: s3.region, bucket: 'drill', forcePathStyle: true, createBucket: false });
    const projectId = (await admin.get(`/v1/projects/${project}`)).body.id as string;
    expect(await store.list(`exports/${projectId}/${done.id}/`)).toHaveLength(1);
    expect(await store.listMultipartUploads(`exports/${projectId}/`)).toEqual([]);
  });
});

/** The first log line of the worker about this job that carries `message`. */
async function eventuallyLogged(worker: RunningProcess, jobId: string, message: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const line = worker.output.find((l) => l.includes(jobId) && l.includes(message));
    if (line) return line;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the worker never logged "${message}" for job ${jobId}:\n${worker.output.slice(-20).join('\n')}`);
}
