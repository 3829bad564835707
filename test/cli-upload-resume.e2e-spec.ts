import { readFile, mkdtemp, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ObjectStore } from '#storage';
import { runCli } from './support/cli-process.js';
import { createProject } from './support/factory.js';
import { FaultyS3Proxy } from './support/faulty-s3-proxy.js';
import { ApiClient } from './support/http.js';
import { writeLargeArchive } from './support/large-archive.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

const MiB = 1024 * 1024;
/** The smallest part S3 takes (every part but the last). */
const PART_BYTES = 5 * MiB;
/** 2 proxies × 8 resources of ~0.95 MiB: ~15.3 MiB, so 4 parts, the last a short one. */
const SHAPE = { proxies: 2, resourcesPerProxy: 8 };
const PART_ATTEMPTS = 3;
const FAILING_PART = 2;

/** The parts the store got whole, by part number, from the proxy's record of PUTs. */
function storedParts(store: FaultyS3Proxy, from = 0): number[] {
  return store
    .partPuts()
    .slice(from)
    .filter((put) => put.status === 200)
    .map((put) => put.partNumber!)
    .sort((a, b) => a - b);
}

describe('resuming an upload: GET /uploads/{id} and the CLI sending only the missing parts on its next run', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let workDir: string;
  const prefix = `${testEnv().queuePrefix}-cli-resume`;
  const proxies: FaultyS3Proxy[] = [];
  const objects = new ObjectStore({ ...testEnv().s3, forcePathStyle: true, createBucket: false });

  /** An API whose presigned URLs go through a proxy failing every try of one part (the CLI tries three times). */
  async function start(failures: number): Promise<FaultyS3Proxy> {
    const proxy = await FaultyS3Proxy.start(testEnv().s3.endpoint, { failPartNumber: FAILING_PART, failures });
    proxies.push(proxy);
    await api?.stop();
    api = await startProcess('api', { QUEUE_PREFIX: prefix, S3_PRESIGN_ENDPOINT: proxy.url, UPLOAD_PART_BYTES: String(PART_BYTES) });
    admin = new ApiClient(api.url, testEnv().adminToken);
    return proxy;
  }

  function cli(args: string[]) {
    return runCli(args, { HOME: workDir, APIFERRY_SERVER: api.url, APIFERRY_TOKEN: testEnv().adminToken }, { cwd: workDir, timeoutMs: 90_000 });
  }

  async function savedUploads(): Promise<{ uploadId: string; file: string; project: string }[]> {
    const text = await readFile(join(workDir, '.local/state/apiferry/uploads.json'), 'utf8').catch(() => '{"uploads":[]}');
    return JSON.parse(text).uploads;
  }

  beforeAll(async () => {
    worker = await startProcess('worker', { QUEUE_PREFIX: prefix });
    workDir = await mkdtemp(join(tmpdir(), 'apiferry-cli-resume-'));
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop(), ...proxies.map((p) => p.stop())]);
    if (workDir) await rm(workDir, { recursive: true, force: true });
  });

  it('GET /uploads/{id} answers the parts received and fresh URLs for the others; with those the upload completes', async () => {
    await start(0);
    const project = await createProject(admin);
    const size = 2 * PART_BYTES + 1000;
    const body = Buffer.alloc(size, 7);
    body.write('PK\x03\x04', 0, 'latin1');
    const upload = await admin.post(`/v1/projects/${project}/uploads`, { fileName: 'resume.zip', size });
    expect(upload.status).toBe(201);
    expect(upload.body).toMatchObject({ state: 'open', partSize: PART_BYTES, partCount: 3 });
    const put = (url: string, partNumber: number) => fetch(url, { method: 'PUT', body: body.subarray((partNumber - 1) * PART_BYTES, Math.min(size, partNumber * PART_BYTES)) });
    const first = await put(upload.body.parts[0].url, 1);
    expect(first.status).toBe(200);
    // Part 3 cut short: the store holds it, but not as the client declared it.
    expect((await fetch(upload.body.parts[2].url, { method: 'PUT', body: body.subarray(2 * PART_BYTES, 2 * PART_BYTES + 10) })).status).toBe(200);

    const status = await admin.get(`/v1/projects/${project}/uploads/${upload.body.id}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id: upload.body.id, state: 'open', declaredSize: size, partSize: PART_BYTES, partCount: 3, size: null });
    expect(status.body.receivedParts).toEqual([{ partNumber: 1, etag: first.headers.get('etag'), size: PART_BYTES }]);
    expect(status.body.parts.map((p: { partNumber: number }) => p.partNumber)).toEqual([2, 3]);
    expect(Date.parse(status.body.urlsExpireAt)).toBeGreaterThan(Date.now());

    const etags = [{ partNumber: 1, etag: status.body.receivedParts[0].etag }];
    for (const part of status.body.parts) etags.push({ partNumber: part.partNumber, etag: (await put(part.url, part.partNumber)).headers.get('etag') });
    const complete = await admin.post(`/v1/projects/${project}/uploads/${upload.body.id}/complete`, { parts: etags });
    expect(complete.status).toBe(200);
    expect(complete.body).toMatchObject({ state: 'ready', size });

    const ready = await admin.get(`/v1/projects/${project}/uploads/${upload.body.id}`);
    expect(ready.body).toMatchObject({ state: 'ready', size });
    expect(ready.body.parts).toBeUndefined();

    const missing = await admin.get(`/v1/projects/${project}/uploads/00000000-0000-4000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect(missing.contentType).toMatch(/application\/problem\+json/);
  });

  it('an upload the store no longer holds (expired or aborted there) answers aborted, and cannot be completed', async () => {
    await start(0);
    const project = await createProject(admin);
    const upload = await admin.post(`/v1/projects/${project}/uploads`, { fileName: 'gone.zip', size: 1000 });
    const projectId = (await admin.get(`/v1/projects/${project}`)).body.id as string;
    const [open] = await objects.listMultipartUploads(`uploads/${projectId}/${upload.body.id}/`);
    await objects.abortMultipartUpload(open!.key, open!.uploadId);

    const status = await admin.get(`/v1/projects/${project}/uploads/${upload.body.id}`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id: upload.body.id, state: 'aborted' });
    expect(status.body.parts).toBeUndefined();
    const complete = await admin.post(`/v1/projects/${project}/uploads/${upload.body.id}/complete`, { parts: [{ partNumber: 1, etag: '"x"' }] });
    expect(complete.status).toBe(409);
  });

  it('a CLI import whose part kept failing leaves the upload open; the next run sends only the missing parts and imports', async () => {
    const proxy = await start(PART_ATTEMPTS);
    const project = await createProject(admin);
    const archive = join(workDir, 'resume.zip');
    const expected = await writeLargeArchive(archive, { ...SHAPE, namePrefix: 'resume' });
    const size = (await stat(archive)).size;
    const partCount = Math.ceil(size / PART_BYTES);
    expect(partCount).toBe(4);

    const failed = await cli(['import', '--project', project, archive]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`error: the object store refused part ${FAILING_PART}`);
    expect(failed.stderr).toContain('the parts sent are kept: run the same command again to send the rest');
    const [saved] = await savedUploads();
    expect(saved).toMatchObject({ project, file: archive });
    const open = await admin.get(`/v1/projects/${project}/uploads/${saved!.uploadId}`);
    expect(open.body.state).toBe('open');
    const sentBefore = storedParts(proxy);
    expect(sentBefore).not.toContain(FAILING_PART);
    expect(open.body.receivedParts.map((p: { partNumber: number }) => p.partNumber)).toEqual(sentBefore);

    const putsBefore = proxy.partPuts().length;
    const resumed = await cli(['import', '--project', project, archive]);
    expect(resumed.stderr).not.toMatch(/^error:/m);
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(`resuming upload ${saved!.uploadId}: ${sentBefore.length} of ${partCount} parts already sent`);
    expect(resumed.stdout).toMatch(/apiProxy\s+2\s+0\s+0\s+0\s+0/);
    // This run sent the parts the store lacked, and nothing else.
    const sentNow = storedParts(proxy, putsBefore);
    expect(sentNow).toContain(FAILING_PART);
    expect([...sentBefore, ...sentNow].sort((a, b) => a - b)).toEqual(Array.from({ length: partCount }, (_, i) => i + 1));
    expect(await savedUploads()).toEqual([]);
    expect((await admin.get(`/v1/projects/${project}/uploads/${saved!.uploadId}`)).body).toMatchObject({ state: 'ready', size });

    const listed = await admin.get(`/v1/projects/${project}/apiProxies?limit=10`);
    expect(listed.body.items.map((p: { name: string }) => p.name).sort()).toEqual(expected.map((p) => p.name));
    const projectId = (await admin.get(`/v1/projects/${project}`)).body.id as string;
    expect(await objects.listMultipartUploads(`uploads/${projectId}/`)).toEqual([]);
  });

  it('a file changed since the failed run, or --no-resume, starts a new upload and aborts the old one', async () => {
    // The same server throughout (a saved upload belongs to one server); two runs fail.
    await start(2 * PART_ATTEMPTS);
    const project = await createProject(admin);
    const archive = join(workDir, 'changed.zip');
    await writeLargeArchive(archive, { ...SHAPE, namePrefix: 'changed' });
    expect((await cli(['import', '--project', project, archive])).code).toBe(1);
    const [saved] = await savedUploads();

    // Touched: same size, another modification time.
    const later = new Date(Date.now() + 60_000);
    await utimes(archive, later, later);
    const again = await cli(['import', '--project', project, archive]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`not resuming upload ${saved!.uploadId}: changed.zip changed since it began; starting a new upload`);
    expect((await admin.get(`/v1/projects/${project}/uploads/${saved!.uploadId}`)).body.state).toBe('aborted');
    const [second] = await savedUploads();
    expect(second!.uploadId).not.toBe(saved!.uploadId);

    const fresh = await cli(['import', '--project', project, '--no-resume', archive]);
    expect(fresh.stderr).toContain(`not resuming upload ${second!.uploadId}: --no-resume; starting a new upload`);
    expect(fresh.code).toBe(0);
    expect((await admin.get(`/v1/projects/${project}/uploads/${second!.uploadId}`)).body.state).toBe('aborted');
    expect(await savedUploads()).toEqual([]);
    const projectId = (await admin.get(`/v1/projects/${project}`)).body.id as string;
    expect(await objects.listMultipartUploads(`uploads/${projectId}/`)).toEqual([]);
  });
});
