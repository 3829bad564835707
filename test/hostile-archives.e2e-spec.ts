import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hostileArchives, type HostileArchive } from '#archive';
import { craftArchive } from './support/archives.js';
import { createProject, createProxy, proxyBody } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { finishedJob, importForm } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

/** Everything a project holds, as the API shows it: the "byte-for-byte" view of the catalog. */
async function catalogOf(admin: ApiClient, project: string): Promise<string> {
  const parts = await Promise.all(
    ['apiProxies?limit=500', 'policies', 'aliases', 'applications', 'environments'].map(async (path) => (await admin.get(`/v1/projects/${project}/${path}`)).body),
  );
  return JSON.stringify(parts);
}

describe('hostile archives are refused through the import API and change nothing', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let target: string;
  let before: string;
  const prefix = `${testEnv().queuePrefix}-hostile`;

  beforeAll(async () => {
    [api, worker] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix })]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    target = await createProject(admin);
    await createProxy(admin, target, { name: 'resident' });
    await admin.post(`/v1/projects/${target}/policies`, { name: 'resident-policy', type: 'X', phase: 'request', config: {} });
    before = await catalogOf(admin, target);
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
  });

  // Archives that need lower reader limits than the service's defaults are covered by the
  // library's own suite; every other one goes through the service.
  const cases: HostileArchive[] = [];
  beforeAll(async () => {
    cases.push(...(await hostileArchives()).filter((h) => !h.limits));
  });

  it('covers at least 25 hostile archives', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it('refuses each one with a clear error naming the entry, at upload or in the job', async () => {
    const outcomes: string[] = [];
    for (const hostile of cases) {
      const answer = await importForm(admin, target, hostile.bytes, {}, `${hostile.id}.zip`);
      if (answer.status === 400) {
        // Refused before any job exists: not a ZIP at all.
        expect(['not-a-zip']).toContain(hostile.expected.reason);
        outcomes.push(`${hostile.id}: 400 ${answer.body.detail}`);
        continue;
      }
      const job = await finishedJob(admin, answer);
      expect({ id: hostile.id, state: job.state }).toEqual({ id: hostile.id, state: 'failed' });
      expect({ id: hostile.id, status: job.error.status, reason: job.error.reason }).toEqual({ id: hostile.id, status: 422, reason: hostile.expected.reason });
      if (hostile.expected.entry) {
        // PostgreSQL's jsonb cannot hold U+0000: the stored entry name carries U+FFFD instead.
        expect(job.error.entry).toBe(hostile.expected.entry.replace(/\u0000/g, '\ufffd'));
        expect(job.error.detail).toContain(JSON.stringify(hostile.expected.entry));
      }
      outcomes.push(`${hostile.id}: ${job.error.reason}`);
    }
    expect(outcomes).toHaveLength(cases.length);
    expect(await catalogOf(admin, target)).toBe(before);
  });

  it('refuses schema-violating proxy JSON as invalid, listing the entry, and imports nothing', async () => {
    const archive = await craftArchive([
      { type: 'apiProxy', doc: { ...proxyBody({ name: 'fine' }), name: 'fine', uuid: randomUUID() } },
      { type: 'apiProxy', doc: { ...proxyBody({ name: 'broken' }), name: 'broken', uuid: randomUUID(), routing: { algorithm: 'FASTEST', addressList: [{ address: 'x', weight: 0 }] } } },
    ]);
    const job = await finishedJob(admin, await importForm(admin, target, archive));
    expect(job.state).toBe('failed');
    const invalid = job.error.report.items.find((i: any) => i.action === 'invalid');
    expect(invalid.name).toBe('broken');
    expect(invalid.error).toContain('apiProxies/broken.json');
    expect(invalid.error).toContain('/routing/algorithm');
    expect(await catalogOf(admin, target)).toBe(before);
  });
});
