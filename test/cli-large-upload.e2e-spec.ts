import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from './support/cli-process.js';
import { createProject, createProxy } from './support/factory.js';
import { FaultyS3Proxy } from './support/faulty-s3-proxy.js';
import { ApiClient } from './support/http.js';
import { writeLargeArchive } from './support/large-archive.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

const MiB = 1024 * 1024;
const PART_BYTES = 16 * MiB;
const FAILING_PART = 5;
/** 22 proxies × 10 resources × 1,000,000 characters: an archive of about 210 MiB. */
const PROXIES = 22;
const RESOURCES_PER_PROXY = 10;

describe('the CLI through presigned URLs at S3_PRESIGN_ENDPOINT: a large archive in parts, one retried; a download', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let store: FaultyS3Proxy;
  let admin: ApiClient;
  let workDir: string;
  const prefix = `${testEnv().queuePrefix}-cli-large`;

  beforeAll(async () => {
    store = await FaultyS3Proxy.start(testEnv().s3.endpoint, { failPartNumber: FAILING_PART });
    // The service talks to the store directly; the URLs it hands to clients point at the proxy.
    [api, worker] = await Promise.all([
      startProcess('api', { QUEUE_PREFIX: prefix, S3_PRESIGN_ENDPOINT: store.url, UPLOAD_PART_BYTES: String(PART_BYTES) }),
      startProcess('worker', { QUEUE_PREFIX: prefix }),
    ]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    workDir = await mkdtemp(join(tmpdir(), 'apiferry-cli-large-'));
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop(), store?.stop()]);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('imports a 210 MiB archive whose part 5 failed once: the part is PUT again, the import succeeds, the catalog holds every resource', async () => {
    const started = Date.now();
    const archive = join(workDir, 'large.zip');
    const expected = await writeLargeArchive(archive, { proxies: PROXIES, resourcesPerProxy: RESOURCES_PER_PROXY });
    const size = (await stat(archive)).size;
    expect(size).toBeGreaterThan(200 * MiB);
    const built = Date.now();

    const project = await createProject(admin);
    const run = await runCli(['import', '--project', project, archive], { HOME: workDir, APIFERRY_SERVER: api.url, APIFERRY_TOKEN: testEnv().adminToken }, { cwd: workDir, timeoutMs: 120_000 });
    const imported = Date.now();
    expect(run.stderr).not.toMatch(/^error:/m);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`imported large.zip into ${project}`);
    expect(run.stdout).toMatch(/apiProxy\s+22\s+0\s+0\s+0\s+0/);
    expect(run.stderr).toContain(`part ${FAILING_PART} failed: the object store answered HTTP 500 InternalError; sending it again (try 2 of 3)`);

    // Every part went through the proxy, so through the presigned URLs' endpoint; part 5 twice.
    const partCount = Math.ceil(size / PART_BYTES);
    const puts = store.partPuts();
    expect(puts.filter((p) => p.partNumber === FAILING_PART).map((p) => [p.status, p.injected])).toEqual([
      [500, true],
      [200, false],
    ]);
    const firstTry = puts.find((p) => p.partNumber === FAILING_PART && p.injected)!;
    // The failure came after the whole part had been sent, and the retry sent all of it again.
    expect(firstTry.bytes).toBe(PART_BYTES);
    expect(puts.filter((p) => p.partNumber === FAILING_PART && !p.injected)[0]!.bytes).toBe(PART_BYTES);
    const others = puts.filter((p) => p.partNumber !== FAILING_PART);
    expect(others.map((p) => p.partNumber).sort((a, b) => a! - b!)).toEqual(Array.from({ length: partCount }, (_, i) => i + 1).filter((n) => n !== FAILING_PART));
    expect(others.every((p) => p.status === 200)).toBe(true);
    expect(others.reduce((sum, p) => sum + p.bytes, 0) + PART_BYTES).toBe(size);
    // Only the clients' part uploads went there: the service reaches the store at S3_ENDPOINT.
    expect(store.requests.filter((r) => r.partNumber === undefined && r.method !== 'GET')).toEqual([]);

    // The catalog holds what the archive held: every proxy, every resource, byte for byte.
    // The listing carries complete definitions, resources' content included: read in pages
    // of four proxies (40 MB) rather than one 210 MB answer.
    const proxies: { name: string; resources: { name: string; content: string }[] }[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.get(`/v1/projects/${project}/apiProxies?limit=4${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      proxies.push(...page.body.items);
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    expect(proxies.map((p) => p.name).sort()).toEqual(expected.map((p) => p.name));
    for (const proxy of expected) {
      const held = proxies.find((p) => p.name === proxy.name)!.resources;
      expect(new Map(held.map((r) => [r.name, createHash('sha256').update(r.content).digest('hex')]))).toEqual(proxy.resources);
    }
    const finished = Date.now();
    // Time budget, printed for the record: archive, CLI import (upload and job), checks.
    process.stdout.write(
      `large upload: ${(size / MiB).toFixed(1)} MiB in ${partCount} parts; archive ${built - started} ms, CLI import ${imported - built} ms, catalog check ${finished - imported} ms\n`,
    );
  }, 180_000);

  it("an export's download link points at the presign endpoint too", async () => {
    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'orders' });
    const archive = join(workDir, 'small.zip');
    const before = store.requests.length;
    const run = await runCli(['export', '--project', project, '-o', archive], { HOME: workDir, APIFERRY_SERVER: api.url, APIFERRY_TOKEN: testEnv().adminToken }, { cwd: workDir });
    expect(run.code).toBe(0);
    const size = (await stat(archive)).size;
    expect(store.requests.slice(before)).toEqual([expect.objectContaining({ method: 'GET', status: 200, injected: false })]);
    expect(run.stdout).toContain(`saved ${archive}`);
    expect(size).toBeGreaterThan(0);
  });
});
