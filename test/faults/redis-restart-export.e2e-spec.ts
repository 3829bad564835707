import { afterAll, describe, expect, it } from '@jest/globals';
import { ObjectStore } from '#storage';
import { assetDocuments } from '../support/archives.js';
import { createProject, uniqueName } from '../support/factory.js';
import { ApiClient } from '../support/http.js';
import { downloadArtifact, finishedJob, importForm } from '../support/jobs.js';
import { startPrivateRedis, type PrivateRedis } from '../support/private-servers.js';
import { startProcess, type RunningProcess } from '../support/service.js';
import { testEnv } from '../support/test-env.js';
import { DRILL_PROXIES, jobInPhase, proxyArchive, settledJob } from './drill-kit.js';

describe('fault drill: Redis restarts empty in the middle of an export', () => {
  const processes: RunningProcess[] = [];
  let redis: PrivateRedis | undefined;
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await redis?.stop();
  });

  it('the reconciler enqueues the export again; it completes with one archive and no multipart upload left open', async () => {
    redis = await startPrivateRedis();
    const env = {
      REDIS_URL: redis.url,
      QUEUE_PREFIX: `${testEnv().queuePrefix}-${uniqueName('drill-redis')}`,
      JOB_STEP_DELAY_MS: '2', // per proxy: an export of 2,000 proxies takes a few seconds
      JOB_LOCK_DURATION_MS: '2000',
      JOB_STALLED_INTERVAL_MS: '1000',
      WORKER_CONCURRENCY: '1',
      RECONCILE_INTERVAL_MS: '500',
      RECONCILE_GRACE_MS: '1000',
    };
    const [api, worker] = await Promise.all([startProcess('api', env), startProcess('worker', { ...env, JOB_STEP_DELAY_MS: '0' })]);
    processes.push(api, worker);
    const admin = new ApiClient(api.url, testEnv().adminToken);
    const project = await createProject(admin);
    const { archive, names } = await proxyArchive(DRILL_PROXIES, 'redis');
    expect((await finishedJob(admin, await importForm(admin, project, archive))).state).toBe('succeeded');
    await worker.stop();
    const slowWorker = await startProcess('worker', env);
    processes.push(slowWorker);

    // One export running, one waiting behind it (the worker takes one job at a time): the
    // flush takes the running one's lock and the waiting one's queue entry.
    const running = await admin.post(`/v1/projects/${project}/exports`, {});
    const waiting = await admin.post(`/v1/projects/${project}/exports`, {});
    expect([running.status, waiting.status]).toEqual([202, 202]);
    await jobInPhase(admin, running.body.id, 'exporting proxies');
    expect((await admin.get(`/v1/jobs/${waiting.body.id}`)).body.state).toBe('queued');
    await redis.restartEmpty();

    const store = new ObjectStore({ ...testEnv().s3, forcePathStyle: true, createBucket: false });
    const projectId = (await admin.get(`/v1/projects/${project}`)).body.id as string;
    for (const created of [running, waiting]) {
      const done = await settledJob(admin, created.body.id);
      expect(done.state).toBe('succeeded');
      const docs = await assetDocuments(await downloadArtifact(admin, done.id));
      expect([...docs.values()].filter((d) => names.includes(d.name))).toHaveLength(DRILL_PROXIES);
      // One archive per job.
      expect(await store.list(`exports/${projectId}/${done.id}/`)).toHaveLength(1);
    }
    // The running export carried on (its worker holds the work, PostgreSQL the record); the
    // waiting one was lost with Redis and the reconciler enqueued it again.
    expect(slowWorker.output.some((l) => l.includes(waiting.body.id) && l.includes('job was missing from its queue; re-enqueued'))).toBe(true);
    // No upload left open anywhere under the project's exports.
    expect(await store.listMultipartUploads(`exports/${projectId}/`)).toEqual([]);
  });
});
