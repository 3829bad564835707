import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createProject, createProxy, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { downloadArtifact, finishedJob, importForm } from './support/jobs.js';
import { eventually, startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';
import { WebhookReceiver } from './support/webhook-receiver.js';

/**
 * The operator console, driven in Debian's Chromium (headless) against the real service.
 * Chromium is a prerequisite: when it is missing these tests fail, saying so.
 */
const CHROMIUM = '/usr/bin/chromium';
// The committed screenshots under docs/ are refreshed with UPDATE_SCREENSHOTS=1; other runs
// write theirs under test/.run, so a test run never changes the working tree.
const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS === '1' ? join(process.cwd(), 'docs', 'screenshots') : join(process.cwd(), 'test', '.run', 'screenshots');
/** Enough proxies that an import reports progress more than once. */
const PROXY_COUNT = 800;

const serviceEnv = (prefix: string) => ({
  QUEUE_PREFIX: prefix,
  // Events every 100 ms instead of 300: more samples for the throughput chart.
  JOB_EVENTS_POLL_MS: '100',
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  // The first retry of a failed delivery is 500 s away: the redelivery by hand is what succeeds.
  WEBHOOK_RETRY_SCALE: '100',
  WEBHOOK_TIMEOUT_MS: '5000',
});

describe('operator console (/console)', () => {
  const prefix = `${testEnv().queuePrefix}-${uniqueName('console')}`;
  let api: RunningProcess;
  let worker: RunningProcess | undefined;
  /** The JOB_STEP_DELAY_MS of the running worker: the chart's test slows exports down to watch them. */
  let workerStepDelayMs = '0';
  let admin: ApiClient;
  let context: BrowserContext;
  let userDataDir: string;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is missing: ${CHROMIUM} does not exist. The console's browser tests need Debian's chromium package (apt-get install chromium).`);
    }
    [api, worker] = await Promise.all([startProcess('api', serviceEnv(prefix)), startProcess('worker', serviceEnv(prefix))]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    userDataDir = await mkdtemp(join(tmpdir(), 'apiferry-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 860 },
      acceptDownloads: true,
    });
    // Nothing but the API's own origin may be contacted (no CDN, no fonts): record any other request.
    context.on('request', (request) => {
      const url = new URL(request.url());
      // The object store's presigned link is the one other place: the artifact download.
      if (!['data:', 'blob:'].includes(url.protocol) && ![new URL(api.url).origin, new URL(testEnv().s3.endpoint).origin].includes(url.origin)) {
        foreignRequests.push(request.url());
      }
    });
    await mkdir(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await context?.close();
    await Promise.all([api?.stop(), worker?.stop(), ...receivers.map((r) => r.stop())]);
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });
  const foreignRequests: string[] = [];
  // Every test: the pages loaded nothing from anywhere but the API (no CDN, no fonts) and threw no script errors.
  afterEach(() => {
    expect(foreignRequests.splice(0)).toEqual([]);
    expect(pageErrors.splice(0)).toEqual([]);
  });

  async function newPage(): Promise<Page> {
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    return page;
  }
  const pageErrors: string[] = [];

  async function signIn(page: Page, token = testEnv().adminToken): Promise<void> {
    await page.goto(`${api.url}/console/`);
    await page.getByLabel('Personal access token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
  }

  /** A worker with this step delay, started (or restarted) when the running one differs. */
  async function useWorker(stepDelayMs = '0'): Promise<void> {
    if (worker && workerStepDelayMs === stepDelayMs) return;
    await worker?.stop();
    worker = await startProcess('worker', { ...serviceEnv(prefix), JOB_STEP_DELAY_MS: stepDelayMs });
    workerStepDelayMs = stepDelayMs;
  }

  const progressOf = (page: Page, name: RegExp) => page.getByRole('progressbar', { name });

  it('serves its files without a token while every /v1 call still needs one', async () => {
    for (const path of ['/console', '/console/']) {
      const index = await fetch(`${api.url}${path}`, { redirect: 'manual' });
      expect(index.status).toBe(200);
      expect(index.headers.get('content-type')).toContain('text/html');
      expect(index.headers.get('content-security-policy')).toContain("connect-src 'self'");
      expect(await index.text()).toContain('<script type="module" src="/console/app.js"></script>');
    }
    const script = await fetch(`${api.url}/console/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');

    // Only the console's own directory is served.
    expect((await fetch(`${api.url}/console/..%2f..%2fsrc%2fmain.ts`)).status).toBe(404);
    expect((await fetch(`${api.url}/console/nothing-here.js`)).status).toBe(404);
    const unauthenticated = await fetch(`${api.url}/v1/jobs`);
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get('content-type')).toContain('application/problem+json');
  });

  it('signs in with a token kept in session storage only, and refuses a token the API refuses', async () => {
    const page = await newPage();
    await page.goto(`${api.url}/console/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sign out' }).isVisible()).toBe(false);
    expect(await page.getByRole('navigation', { name: 'Main' }).isVisible()).toBe(false);
    await page.screenshot({ path: join(SCREENSHOTS, 'sign-in.png') });

    await page.getByLabel('Personal access token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('tokens start with afy_');

    await page.getByLabel('Personal access token').fill(`afy_${'x'.repeat(40)}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The API refused this token').waitFor();

    await page.getByLabel('Personal access token').fill(testEnv().adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Jobs' }).waitFor();
    expect(page.url()).not.toContain(testEnv().adminToken);
    expect(await page.evaluate(() => Object.values(sessionStorage))).toContain(testEnv().adminToken);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect((await context.cookies()).length).toBe(0);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  });

  it("shows an import's progress live until 100 % in the list and on its page, cancels a queued job, and finds the conflict rows of a blocked import's report", async () => {
    // An exported archive of a project with a few hundred proxies.
    const source = await createProject(admin);
    for (let i = 0; i < PROXY_COUNT; i += 20) {
      await Promise.all(Array.from({ length: Math.min(20, PROXY_COUNT - i) }, (_, j) => createProxy(admin, source, { name: `svc-${String(i + j).padStart(4, '0')}` })));
    }
    await useWorker();
    const exported = await finishedJob(admin, await admin.post(`/v1/projects/${source}/exports`, {}));
    expect(exported.state).toBe('succeeded');
    const archive = await downloadArtifact(admin, exported.id);

    // With no worker running, the jobs wait in the queue while the console opens them.
    await worker?.stop();
    worker = undefined;
    const target = await createProject(admin);
    const queued = await importForm(admin, target, archive, {});
    expect(queued.status).toBe(202);
    const importId = queued.body.id as string;
    const doomed = await admin.post(`/v1/projects/${target}/inventory`);
    expect(doomed.status).toBe(202);

    const list = await newPage();
    await signIn(list);
    await list.getByLabel('Project', { exact: true }).selectOption(target);
    await list.getByRole('button', { name: 'Apply filters' }).click();
    // The click only sets the fragment; the filtered list renders on hashchange. Until its
    // jobs arrive the unfiltered list (which holds the import too) may still be on screen.
    await list.waitForURL((url) => url.hash.includes(`project=${target}`));
    await list.getByTestId('list-status').filter({ hasText: '2 jobs shown.' }).waitFor();
    const importRow = list.locator(`tr[data-job-id="${importId}"]`);
    expect(await list.locator('tbody tr').count()).toBe(2);
    expect(await importRow.getByTestId('state').textContent()).toBe('queued');
    const listBar = progressOf(list, new RegExp(`archive.import job ${importId.slice(0, 8)}`));
    expect(await listBar.getAttribute('value')).toBe('0');
    // A keyboard user sits on the import's link while the row updates live.
    const importLink = importRow.getByRole('link', { name: `Job ${importId}` });
    await importLink.focus();

    // Cancel the queued inventory from its page: it leaves the queue and never runs.
    const jobPage = await newPage();
    await signIn(jobPage);
    await jobPage.goto(`${api.url}/console/#/jobs/${doomed.body.id}`);
    await jobPage.getByRole('button', { name: 'Cancel job' }).click();
    await jobPage.getByText('The job was canceled.').waitFor();
    expect(await jobPage.getByTestId('state').first().textContent()).toBe('canceled');
    expect((await admin.get(`/v1/jobs/${doomed.body.id}`)).body.state).toBe('canceled');

    // The import's page is open (streaming) before the worker picks the job up.
    await jobPage.goto(`${api.url}/console/#/jobs/${importId}`);
    await jobPage.getByRole('heading', { level: 1, name: `Import job ${importId.slice(0, 8)}` }).waitFor();
    expect(await jobPage.getByTestId('state').first().textContent()).toBe('queued');
    const seen: number[] = [];
    await useWorker();
    await eventually(
      async () => {
        // The state first: the bar read after it is at least as new (one render updates both).
        const state = await jobPage.getByTestId('state').first().textContent();
        const value = Number(await progressOf(jobPage, /Progress of job/).getAttribute('value'));
        if (seen.at(-1) !== value) seen.push(value);
        return state === 'succeeded' ? true : undefined;
      },
      'the import to succeed on its page',
      60_000,
      50,
    );
    const bar = progressOf(jobPage, /Progress of job/);
    expect(await bar.getAttribute('value')).toBe('100');
    expect(await bar.getAttribute('aria-valuetext')).toMatch(/^100 % \(committing \d+\/\d+\)$/);
    // It started from the queued 0 % and ended at 100 % (what lies between depends on the machine's speed).
    expect(seen[0]).toBe(0);
    expect(seen.at(-1)).toBe(100);
    console.info(`progress values seen on the job page: ${seen.join(', ')}`);
    const timeline = await jobPage.getByTestId('timeline').textContent();
    expect(timeline).toContain('Created (queued)');
    expect(timeline).toContain('Started (attempt 1)');
    expect(timeline).toMatch(/Phase: (verifying archive|importing|committing)/);
    expect(timeline).toContain('Finished: succeeded');
    // Per-type counts of the report.
    expect(await jobPage.locator('[data-testid=counts-table] tr[data-type=apiProxy] td[data-outcome=created]').textContent()).toBe(String(PROXY_COUNT));

    // The list's bar followed the same stream to 100 %.
    await eventually(async () => ((await listBar.getAttribute('value')) === '100' ? true : undefined), 'the list row to reach 100 %');
    expect(await importRow.getByTestId('state').textContent()).toBe('succeeded');
    await list.screenshot({ path: join(SCREENSHOTS, 'jobs-list.png') });
    // The live updates left the focus where it was; Enter opens the job.
    expect(await list.evaluate(() => (globalThis as any).document.activeElement?.getAttribute('aria-label'))).toBe(`Job ${importId}`);
    await list.keyboard.press('Enter');
    await list.getByRole('heading', { level: 1, name: `Import job ${importId.slice(0, 8)}` }).waitFor();

    await jobPage.screenshot({ path: join(SCREENSHOTS, 'job-progress.png'), fullPage: true });

    // The same archive into a project that holds three of its proxy names already: those
    // three clash, the import is blocked, and its plan says which and why.
    const crowded = await createProject(admin);
    for (const name of ['svc-0042', 'svc-0100', 'svc-0500']) await createProxy(admin, crowded, { name });
    const clash = await finishedJob(admin, await importForm(admin, crowded, archive, {}));
    expect(clash.state).toBe('failed');
    await jobPage.goto(`${api.url}/console/#/jobs/${clash.id}`);
    await jobPage.getByRole('heading', { name: 'Import plan (not applied)' }).waitFor();
    expect(await jobPage.getByTestId('job-error').textContent()).toContain('3 asset(s) clash with the project');
    const counts = jobPage.locator('[data-testid=counts-table] tr[data-type=apiProxy]');
    expect(await counts.locator('td[data-outcome=created]').textContent()).toBe(String(PROXY_COUNT - 3));
    expect(await counts.locator('td[data-outcome=failed]').textContent()).toBe('3');
    const report = jobPage.getByTestId('report-table');
    const rows = report.locator('tbody tr');
    expect(await rows.count()).toBe(PROXY_COUNT);
    // Sorted by action first, so the clashes lead; then by name, both ways, with the keyboard too.
    expect(await rows.first().getAttribute('data-action')).toBe('conflict');
    const header = (name: string) => report.locator('th', { has: jobPage.getByRole('button', { name }) });
    expect(await header('Action').getAttribute('aria-sort')).toBe('ascending');
    expect(await header('Name').getAttribute('aria-sort')).toBe('none');
    await jobPage.getByRole('button', { name: 'Name' }).click();
    expect(await header('Name').getAttribute('aria-sort')).toBe('ascending');
    expect(await header('Action').getAttribute('aria-sort')).toBe('none');
    expect(await rows.first().locator('td').nth(1).textContent()).toBe('svc-0000');
    await jobPage.getByRole('button', { name: 'Name' }).press('Enter');
    expect(await header('Name').getAttribute('aria-sort')).toBe('descending');
    expect(await rows.first().locator('td').nth(1).textContent()).toBe(`svc-${String(PROXY_COUNT - 1).padStart(4, '0')}`);
    await jobPage.getByLabel('Show action').selectOption('conflict');
    expect(await rows.count()).toBe(3);
    const conflictRow = report.locator('tbody tr', { hasText: 'svc-0100' });
    expect(await conflictRow.getAttribute('data-action')).toBe('conflict');
    expect(await conflictRow.textContent()).toContain('apiProxy "svc-0100" already exists in the project (same name)');
    await jobPage.getByLabel('Show action').selectOption('');
    await jobPage.getByRole('button', { name: 'Action' }).click();
    await jobPage.screenshot({ path: join(SCREENSHOTS, 'job-report.png'), fullPage: true });

    await list.close();
    await jobPage.close();
  });

  it('downloads the archive of an export from its job page', async () => {
    await useWorker();
    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'orders' });
    const exported = await finishedJob(admin, await admin.post(`/v1/projects/${project}/exports`, { fileName: 'orders-export.zip' }));
    expect(exported.state).toBe('succeeded');

    const page = await newPage();
    await signIn(page);
    await page.goto(`${api.url}/console/#/jobs/${exported.id}`);
    await page.getByRole('heading', { name: 'Archive' }).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download archive' }).click()]);
    expect(download.suggestedFilename()).toBe('orders-export.zip');
    const saved = await readFile((await download.path()) as string);
    expect(saved.equals(await downloadArtifact(admin, exported.id))).toBe(true);

    // The link the console asks for: JSON, with the token only, and only for a succeeded export.
    const link = await admin.get(`/v1/jobs/${exported.id}/artifact-link`);
    expect(link.status).toBe(200);
    expect(link.body.url).toMatch(/^https?:\/\/.+X-Amz-Signature=/);
    expect((await admin.withToken(undefined).get(`/v1/jobs/${exported.id}/artifact-link`)).status).toBe(401);
    const inventory = await finishedJob(admin, await admin.post(`/v1/projects/${project}/inventory`));
    const notAnExport = await admin.get(`/v1/jobs/${inventory.id}/artifact-link`);
    expect(notAnExport.status).toBe(404);
    expect(notAnExport.contentType).toContain('application/problem+json');
    await page.close();
  });

  it("shows an import's deployment result per environment: one gateway takes the proxies, one refuses", async () => {
    await useWorker();
    // A gateway admin API on 127.0.0.1: /{environment}/proxies/{uuid}; it refuses for "frozen".
    const gateway = createServer((req, res) => {
      req.resume().on('end', () => {
        const frozen = (req.url ?? '').startsWith('/frozen/');
        res.writeHead(frozen ? 409 : 201, { 'content-type': 'application/json' }).end(JSON.stringify(frozen ? { message: 'gateway is frozen for maintenance' } : { ok: true }));
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    try {
      const adminUrl = (environment: string) => `http://127.0.0.1:${(gateway.address() as AddressInfo).port}/${environment}`;
      const source = await createProject(admin);
      await createProxy(admin, source, { name: 'orders' });
      await createProxy(admin, source, { name: 'billing' });
      const archive = await downloadArtifact(admin, (await finishedJob(admin, await admin.post(`/v1/projects/${source}/exports`, {}))).id);
      const target = await createProject(admin);
      for (const name of ['live', 'frozen']) {
        expect((await admin.post(`/v1/projects/${target}/environments`, { name, driver: 'http', settings: { adminUrl: adminUrl(name) } })).status).toBe(201);
      }
      const job = await finishedJob(admin, await importForm(admin, target, archive, { deploy: true, deployTargetEnvironmentNameList: ['live', 'frozen'] }));
      expect(job.state).toBe('succeeded');

      const page = await newPage();
      await signIn(page);
      await page.goto(`${api.url}/console/#/jobs/${job.id}`);
      const deployments = page.getByTestId('deployments');
      await deployments.waitFor();
      const live = deployments.locator('tr[data-environment=live]');
      expect(await live.locator('td').first().textContent()).toBe('deployed');
      expect(await live.textContent()).toMatch(/billing r1.*orders r1|orders r1.*billing r1/);
      const frozen = deployments.locator('tr[data-environment=frozen]');
      expect(await frozen.locator('td').first().textContent()).toBe('failed');
      expect(await frozen.textContent()).toContain('gateway is frozen for maintenance');
      expect(await page.getByRole('heading', { name: 'Import report' }).isVisible()).toBe(true);
      await page.close();
    } finally {
      await new Promise((resolve) => gateway.close(resolve));
    }
  });

  it('redelivers a failed webhook delivery from the endpoint page', async () => {
    await useWorker();
    const project = await createProject(admin);
    const hooks = (await WebhookReceiver.start()).failFirst(1);
    receivers.push(hooks);
    const created = await admin.post(`/v1/projects/${project}/webhooks`, { url: hooks.url(), events: ['job.succeeded'] });
    expect(created.status).toBe(201);
    hooks.secrets.push(created.body.secret);
    const job = await finishedJob(admin, await admin.post(`/v1/projects/${project}/inventory`));
    expect(job.state).toBe('succeeded');
    await hooks.waitForCount(1, 'the first, failing delivery');

    const page = await newPage();
    await signIn(page);
    await page.getByRole('link', { name: 'Webhooks' }).click();
    // The jobs list has a "Project" select too: wait until the webhooks page replaced it.
    await page.getByRole('heading', { level: 1, name: 'Webhook endpoints' }).waitFor();
    await page.getByLabel('Project', { exact: true }).selectOption(project);
    await page.getByRole('button', { name: 'Show endpoints' }).click();
    await page.waitForURL((url) => url.hash.includes(`project=${project}`));
    await page.getByRole('link', { name: hooks.url() }).click();
    await page.getByRole('heading', { level: 1, name: `Webhook endpoint ${hooks.url()}` }).waitFor();
    const failed = page.locator('tr[data-state=failed][data-attempt="1"]');
    await failed.waitFor();
    expect(await failed.textContent()).toContain('answered 500');

    await failed.getByRole('button', { name: 'Redeliver job.succeeded (attempt 1)' }).click();
    await page.getByText('Redelivery of job.succeeded queued as attempt').waitFor();
    const manual = page.locator('tr[data-trigger=manual][data-state=succeeded]');
    await manual.waitFor({ timeout: 30_000 });
    expect(await manual.locator('td').nth(5).textContent()).toBe('204');

    const deliveries = await hooks.waitForCount(2, 'the redelivery');
    expect(deliveries.map((d) => d.status)).toEqual([500, 204]);
    expect(deliveries[1]!.headers['webhook-id']).toBe(deliveries[0]!.headers['webhook-id']);
    expect(deliveries[1]!.verifiedBy).toEqual([0]);
    await page.screenshot({ path: join(SCREENSHOTS, 'webhook-deliveries.png') });
    await page.close();
  });


  it('draws the throughput of a running export, in assets per second, from its progress events', async () => {
    const project = await createProject(admin);
    for (let i = 0; i < 120; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, j) => createProxy(admin, project, { name: `api-${String(i + j).padStart(3, '0')}` })));
    }
    await worker?.stop();
    worker = undefined;
    const queued = await admin.post(`/v1/projects/${project}/exports`, {});
    expect(queued.status).toBe(202);

    const page = await newPage();
    await signIn(page);
    await page.goto(`${api.url}/console/#/jobs/${queued.body.id}`);
    await page.getByRole('heading', { level: 1, name: `Export job ${String(queued.body.id).slice(0, 8)}` }).waitFor();
    expect(await page.getByTestId('throughput-empty').textContent()).toContain('fills in from progress events');
    // 25 ms per proxy: about three seconds of steady progress to plot.
    await useWorker('25');
    await page.getByTestId('state').first().filter({ hasText: 'succeeded' }).waitFor({ timeout: 60_000 });

    const chart = page.getByRole('img', { name: /^Throughput over \d+ samples/ });
    const samples = Number(await chart.getAttribute('data-samples'));
    expect(samples).toBeGreaterThanOrEqual(4);
    expect(await chart.locator('circle').count()).toBe(samples);
    const points = ((await chart.locator('polyline').getAttribute('points')) ?? '').trim().split(' ');
    expect(points).toHaveLength(samples);
    // The export ran at tens of proxies per second: the peak says so, and so does the drawn line.
    const peak = Number(/peak (\d+(?:\.\d+)?)/.exec((await chart.getAttribute('aria-label')) ?? '')?.[1]);
    expect(peak).toBeGreaterThan(5);
    expect(peak).toBeLessThan(1000);
    const heights = points.map((p) => Number(p.split(',')[1]));
    expect(Math.min(...heights)).toBeLessThan(Math.max(...heights));
    await page.screenshot({ path: join(SCREENSHOTS, 'job-throughput.png') });
    await page.close();
  });
});
