import { afterAll, describe, expect, it } from '@jest/globals';
import { createProject, uniqueName } from '../support/factory.js';
import { ApiClient } from '../support/http.js';
import { importForm } from '../support/jobs.js';
import { startPrivatePostgres, type PrivatePostgres } from '../support/private-servers.js';
import { startProcess, type RunningProcess } from '../support/service.js';
import { testEnv } from '../support/test-env.js';
import { DRILL_PROXIES, jobInPhase, listProxies, proxyArchive, settledJob } from './drill-kit.js';

describe('fault drill: PostgreSQL crashes in the middle of an import', () => {
  const processes: RunningProcess[] = [];
  let pg: PrivatePostgres | undefined;
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await pg?.stop();
  });

  it('the transaction rolls back, the job is retried and succeeds when PostgreSQL is back, with exactly the archive in the catalog', async () => {
    // A database server of its own: the drill crashes it, and the other tests keep theirs.
    pg = await startPrivatePostgres();
    const env = {
      DATABASE_URL: pg.url,
      QUEUE_PREFIX: `${testEnv().queuePrefix}-${uniqueName('drill-pg')}`,
      JOB_STEP_DELAY_MS: '250',
      JOB_BACKOFF_MS: '1000',
      JOB_ATTEMPTS: '8',
      JOB_LOCK_DURATION_MS: '3000',
      JOB_STALLED_INTERVAL_MS: '1000',
      RECONCILE_INTERVAL_MS: '1000',
      RECONCILE_GRACE_MS: '5000',
    };
    const [api, worker] = await Promise.all([startProcess('api', env), startProcess('worker', env)]);
    processes.push(api, worker);
    const admin = new ApiClient(api.url, testEnv().adminToken);
    const project = await createProject(admin);
    const { archive, names } = await proxyArchive(DRILL_PROXIES, 'pg');

    const created = await importForm(admin, project, archive);
    expect(created.status).toBe(202);
    await jobInPhase(admin, created.body.id, 'importing');
    await pg.crash();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await pg.start();

    const done = await settledJob(admin, created.body.id, 90_000);
    expect(done.state).toBe('succeeded');
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    const imported = await listProxies(admin, project);
    expect(imported).toHaveLength(DRILL_PROXIES);
    expect(imported.map((p) => p.name).sort()).toEqual([...names].sort());
    // Both processes lived through it.
    expect(api.child.exitCode).toBeNull();
    expect(worker.child.exitCode).toBeNull();
  });
});
