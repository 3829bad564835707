import { afterAll, describe, expect, it } from '@jest/globals';
import { createProject, uniqueName } from '../support/factory.js';
import { ApiClient } from '../support/http.js';
import { importForm } from '../support/jobs.js';
import { startProcess, type RunningProcess } from '../support/service.js';
import { testEnv } from '../support/test-env.js';
import { DRILL_PROXIES, jobInPhase, listProxies, proxyArchive, settledJob } from './drill-kit.js';

describe('fault drill: the worker is SIGKILLed in the middle of an import', () => {
  const processes: RunningProcess[] = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
  });

  it(`retries the import on another worker; the catalog ends with exactly the archive's ${DRILL_PROXIES} proxies, never half`, async () => {
    const env = {
      QUEUE_PREFIX: `${testEnv().queuePrefix}-${uniqueName('drill-kill')}`,
      // Slow enough to strike mid-transaction: a pause after each batch of 200 inserts.
      JOB_STEP_DELAY_MS: '250',
      JOB_LOCK_DURATION_MS: '2000',
      JOB_STALLED_INTERVAL_MS: '1000',
    };
    const api = await startProcess('api', env);
    processes.push(api);
    const admin = new ApiClient(api.url, testEnv().adminToken);
    const project = await createProject(admin);
    const { archive, names } = await proxyArchive(DRILL_PROXIES, 'kill');

    const victim = await startProcess('worker', env);
    processes.push(victim);
    const created = await importForm(admin, project, archive);
    expect(created.status).toBe(202);
    const struck = await jobInPhase(admin, created.body.id, 'importing');
    expect(struck.progress.done).toBeLessThan(DRILL_PROXIES);
    await victim.kill();

    // Nothing of the killed attempt is visible: its transaction never committed.
    expect(await listProxies(admin, project)).toEqual([]);

    processes.push(await startProcess('worker', { ...env, JOB_STEP_DELAY_MS: '0' }));
    const done = await settledJob(admin, created.body.id);
    expect(done.state).toBe('succeeded');
    expect(done.attempts).toBeGreaterThanOrEqual(2);
    const imported = await listProxies(admin, project);
    expect(imported).toHaveLength(DRILL_PROXIES);
    expect(imported.map((p) => p.name).sort()).toEqual([...names].sort());
  });
});
