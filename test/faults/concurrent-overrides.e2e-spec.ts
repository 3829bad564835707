import { afterAll, describe, expect, it } from '@jest/globals';
import { createProject, uniqueName } from '../support/factory.js';
import { ApiClient } from '../support/http.js';
import { finishedJob, importForm } from '../support/jobs.js';
import { startProcess, type RunningProcess } from '../support/service.js';
import { testEnv } from '../support/test-env.js';
import { listProxies, proxyArchive, settledJob } from './drill-kit.js';

const PROXIES = 500;

describe('fault drill: two overriding imports of the same proxies at once', () => {
  const processes: RunningProcess[] = [];
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
  });

  it('ends with one of the two archives in full, never a mix', async () => {
    // Two workers, so the imports really run side by side.
    const env = { QUEUE_PREFIX: `${testEnv().queuePrefix}-${uniqueName('drill-race')}`, JOB_STEP_DELAY_MS: '50' };
    const [api, ...workers] = await Promise.all([startProcess('api', env), startProcess('worker', env), startProcess('worker', env)]);
    processes.push(api!, ...workers);
    const admin = new ApiClient(api!.url, testEnv().adminToken);
    const project = await createProject(admin);
    const base = await proxyArchive(PROXIES, 'race', 'base');
    expect((await finishedJob(admin, await importForm(admin, project, base.archive))).state).toBe('succeeded');

    const [first, second] = await Promise.all(['first', 'second'].map((label) => proxyArchive(PROXIES, 'race', label)));
    const options = { conflicts: { apiProxy: 'overwrite' } };
    const started = await Promise.all([importForm(admin, project, first!.archive, options), importForm(admin, project, second!.archive, options)]);
    expect(started.map((s) => s.status)).toEqual([202, 202]);
    const jobs = await Promise.all(started.map((s) => settledJob(admin, s.body.id)));
    expect(jobs.map((j) => j.state)).toEqual(['succeeded', 'succeeded']);
    // Both ran at once (each verifies its archive before it takes the project's lock)...
    const [a, b] = jobs.map((j) => ({ start: Date.parse(j.startedAt), end: Date.parse(j.finishedAt) }));
    expect(a!.start < b!.end && b!.start < a!.end).toBe(true);

    // ...yet their transactions applied one after the other, never interleaved.
    const proxies = await listProxies(admin, project);
    expect(proxies).toHaveLength(PROXIES);
    const descriptions = new Set(proxies.map((p) => p.description));
    expect(descriptions.size).toBe(1);
    expect(['first', 'second']).toContain([...descriptions][0]);
    // The survivor is the import that finished last.
    const last = jobs[0]!.finishedAt > jobs[1]!.finishedAt ? 'first' : 'second';
    expect([...descriptions][0]).toBe(last);
  });
});
