import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { craftArchive } from './support/archives.js';
import { createProject, createProxy, createToken, proxyBody } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { finishedJob, importForm } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

/** More assets than a job shows with itself (1,000), so the report must be paged. */
const PROXIES = 1205;

/**
 * An import's per-asset report is written as rows while the import runs and read in pages:
 * the job shows its first 1,000 lines, GET /v1/jobs/{id}/report-items the rest.
 */
describe('the per-asset import report, paged', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let archive: Buffer;
  const names = Array.from({ length: PROXIES }, (_, i) => `bulk-${String(i).padStart(4, '0')}`);
  const prefix = `${testEnv().queuePrefix}-report`;

  beforeAll(async () => {
    [api, worker] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix })]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    archive = await craftArchive(names.map((name) => ({ type: 'apiProxy', doc: { ...proxyBody({ name }), uuid: randomUUID(), name, basePath: `/${name}` } })));
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
  });

  /** A project already holding three of the archive's proxy names. */
  async function clashingTarget(): Promise<string> {
    const project = await createProject(admin);
    for (const name of [names[7], names[500], names[1200]]) await createProxy(admin, project, { name, basePath: `/existing-${name}` });
    return project;
  }

  async function allLines(jobId: string, query = ''): Promise<any[]> {
    const lines: any[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.get(`/v1/jobs/${jobId}/report-items?limit=500${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      lines.push(...page.body.items);
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    return lines;
  }

  it('shows the first 1,000 lines with the job and pages through all of them, narrowed by action', async () => {
    const target = await clashingTarget();
    const job = await finishedJob(admin, await importForm(admin, target, archive, { conflicts: 'keep' }));
    expect(job.state).toBe('succeeded');
    expect(job.result.counts.apiProxy).toMatchObject({ created: PROXIES - 3, skipped: 3, failed: 0 });
    expect(job.result.itemsTotal).toBe(PROXIES);
    expect(job.result.items).toHaveLength(1000);
    expect(typeof job.result.itemsNextCursor).toBe('string');
    expect(job.links.reportItems).toBe(`/v1/jobs/${job.id}/report-items`);

    const lines = await allLines(job.id);
    expect(lines).toHaveLength(PROXIES);
    expect(lines.slice(0, 1000)).toEqual(job.result.items);
    expect(new Set(lines.map((l) => l.name))).toEqual(new Set(names));
    expect(lines.filter((l) => l.action === 'skip').map((l) => l.name).sort()).toEqual([names[7], names[500], names[1200]]);
    // The job's own cursor continues where its 1,000 lines stop.
    const rest = await admin.get(`/v1/jobs/${job.id}/report-items?limit=5000&cursor=${encodeURIComponent(job.result.itemsNextCursor)}`);
    expect(rest.body.items).toEqual(lines.slice(1000));
    expect(rest.body.nextCursor).toBeNull();

    const skipped = await admin.get(`/v1/jobs/${job.id}/report-items?action=skip,failed`);
    expect(skipped.body.items.map((l: any) => l.name).sort()).toEqual([names[7], names[500], names[1200]]);
    expect(skipped.body.items[0].warnings[0]).toContain('kept the existing apiProxy');

    const created = (await admin.get(`/v1/projects/${target}/apiProxies?limit=1`)).body;
    expect(created.items).toHaveLength(1);
  }, 120_000);

  it('answers bad report queries with a problem and hides other projects\' reports', async () => {
    const target = await createProject(admin);
    const job = await finishedJob(admin, await importForm(admin, target, archive));
    const badAction = await admin.get(`/v1/jobs/${job.id}/report-items?action=explode`);
    expect(badAction.status).toBe(400);
    expect(badAction.contentType).toContain('application/problem+json');
    expect(JSON.stringify(badAction.body)).toContain('action');
    const badCursor = await admin.get(`/v1/jobs/${job.id}/report-items?cursor=bm90LW91cnM`);
    expect(badCursor.status).toBe(400);

    const outsider = new ApiClient(api.url, await createToken(admin, [{ project: await createProject(admin), permission: 'PROJECT_ADMIN' }]));
    expect((await outsider.get(`/v1/jobs/${job.id}/report-items`)).status).toBe(404);

    const inventory = await finishedJob(admin, await admin.post(`/v1/projects/${target}/inventory`, {}));
    expect((await admin.get(`/v1/jobs/${inventory.id}/report-items`)).status).toBe(404);
  }, 120_000);

  it('a dry run writes the same lines the import then writes', async () => {
    const target = await clashingTarget();
    const plan = await finishedJob(admin, await importForm(admin, target, archive, { conflicts: 'rename', dryRun: true }));
    expect(plan.result.dryRun).toBe(true);
    expect(plan.result.itemsTotal).toBe(PROXIES);
    expect((await admin.get(`/v1/projects/${target}/apiProxies?limit=500`)).body.items).toHaveLength(3);
    const real = await finishedJob(admin, await importForm(admin, target, archive, { conflicts: 'rename' }));
    const [planned, applied] = [await allLines(plan.id), await allLines(real.id)];
    expect(applied).toEqual(planned);
    expect(applied.filter((l) => l.action === 'rename').map((l) => l.newName).sort()).toEqual([names[7], names[500], names[1200]].map((n) => `${n}-imported`));
  }, 120_000);

  it('a blocked import changes nothing and lists what blocked it first in its error', async () => {
    const target = await clashingTarget();
    const job = await finishedJob(admin, await importForm(admin, target, archive));
    expect(job.state).toBe('failed');
    const report = job.error.report;
    expect(report.blocked).toBe(true);
    expect(report.itemsTotal).toBe(PROXIES);
    // Past 1,000 assets the error lists the assets that are not plain creations: the clashes.
    expect(report.items.map((i: any) => [i.name, i.action]).sort()).toEqual([names[7], names[500], names[1200]].map((n) => [n, 'conflict']));
    expect(report.itemsOmitted).toBe(PROXIES - 3);
    expect((await admin.get(`/v1/jobs/${job.id}/report-items`)).body.items).toEqual([]);
    expect((await admin.get(`/v1/projects/${target}/apiProxies?limit=500`)).body.items).toHaveLength(3);
  }, 120_000);
});
