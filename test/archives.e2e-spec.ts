import { randomUUID, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Readable } from 'node:stream';
import { ArchiveWriter } from '#archive';
import { ObjectStore } from '#storage';
import { assetDocuments, craftArchive, openArchive } from './support/archives.js';
import { createProject, createProxy, proxyBody, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { downloadArtifact, finishedJob, importForm } from './support/jobs.js';
import { eventually, startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

const SECRET = 'hunter2-plaintext-secret';
const PASSPHRASE = 'correct horse battery staple';

describe('export and import through the job pipeline', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  const prefix = `${testEnv().queuePrefix}-archives`;

  beforeAll(async () => {
    [api, worker] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix })]);
    admin = new ApiClient(api.url, testEnv().adminToken);
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
  });

  /** A project with an alias holding a secret, a shared policy using it, and proxies. */
  async function seedProject(proxies = ['orders', 'billing', 'search']): Promise<{ project: string; proxies: any[] }> {
    const project = await createProject(admin);
    const alias = await admin.post(`/v1/projects/${project}/aliases`, { name: 'backend-cred', kind: 'BASIC_AUTH', value: { username: 'svc' }, secrets: { password: SECRET } });
    expect(alias.status).toBe(201);
    const policy = await admin.post(`/v1/projects/${project}/policies`, {
      name: 'shared-auth',
      type: 'BASIC_AUTH',
      phase: 'request',
      config: { realm: 'x' },
      aliases: [{ uuid: alias.body.uuid, name: 'backend-cred' }],
    });
    expect(policy.status).toBe(201);
    const created = [];
    for (const name of proxies) {
      created.push(
        await createProxy(admin, project, {
          name,
          policies: { request: [{ name: 'auth', type: 'SHARED', sharedPolicy: { uuid: policy.body.uuid, name: 'shared-auth' } }] },
          resources: [{ name: 'README.md', contentType: 'text/markdown', content: `# ${name}\n` }],
        }),
      );
    }
    return { project, proxies: created };
  }

  async function exportJob(project: string, body: Record<string, unknown> = {}) {
    const created = await admin.post(`/v1/projects/${project}/exports`, body);
    expect(created.status).toBe(202);
    return finishedJob(admin, created);
  }

  async function proxiesOf(project: string): Promise<any[]> {
    return (await admin.get(`/v1/projects/${project}/apiProxies?limit=500`)).body.items;
  }

  it('round-trips a project: same asset JSON and uuids, secrets sealed and restored with the passphrase', async () => {
    const { project } = await seedProject();
    const exported = await exportJob(project, { passphrase: PASSPHRASE, include: { resources: true } });
    expect(exported.state).toBe('succeeded');
    expect(exported.result.counts).toMatchObject({ apiProxy: 3, policy: 1, alias: 1, resource: 3 });
    const archive = await downloadArtifact(admin, exported.id);
    expect(createHash('sha256').update(archive).digest('hex')).toBe(exported.result.artifact.sha256);
    expect(archive.includes(Buffer.from(SECRET))).toBe(false);

    const target = await createProject(admin);
    const imported = await finishedJob(admin, await importForm(admin, target, archive, { passphrase: PASSPHRASE }));
    expect(imported.state).toBe('succeeded');
    expect(imported.result.counts.apiProxy).toMatchObject({ created: 3, failed: 0 });
    expect(imported.result.counts.policy.created).toBe(1);

    const again = await exportJob(target, { passphrase: PASSPHRASE, include: { resources: true } });
    const first = await assetDocuments(archive, PASSPHRASE);
    const second = await assetDocuments(await downloadArtifact(admin, again.id), PASSPHRASE);
    expect([...second.keys()].sort()).toEqual([...first.keys()].sort());
    for (const [path, doc] of first) expect(second.get(path)).toEqual(doc);
    expect(first.get('aliases/backend-cred.json').secrets.password).toBe(SECRET);
    expect((await openArchive(archive)).manifest.source.project).toBe(project);
  });

  it('round-trips into a project on a second database (another instance): identical asset JSON', async () => {
    const { project } = await seedProject(['orders', 'billing']);
    const archive = await downloadArtifact(admin, (await exportJob(project, { passphrase: PASSPHRASE, include: { resources: true } })).id);
    const database = `${testEnv().database}_second`;
    const adminDb = new pg.Client({ connectionString: testEnv().adminDatabaseUrl });
    await adminDb.connect();
    await adminDb.query(`create database ${database}`);
    const url = new URL(testEnv().databaseUrl);
    url.pathname = `/${database}`;
    const env = { DATABASE_URL: url.toString(), QUEUE_PREFIX: `${prefix}-second` };
    const [api2, worker2] = await Promise.all([startProcess('api', env), startProcess('worker', env)]);
    try {
      const other = new ApiClient(api2.url, testEnv().adminToken);
      const target = await createProject(other);
      const imported = await finishedJob(other, await importForm(other, target, archive, { passphrase: PASSPHRASE }));
      expect(imported.state).toBe('succeeded');
      const again = await finishedJob(other, await other.post(`/v1/projects/${target}/exports`, { passphrase: PASSPHRASE, include: { resources: true } }));
      const first = await assetDocuments(archive, PASSPHRASE);
      const second = await assetDocuments(await downloadArtifact(other, again.id), PASSPHRASE);
      expect(second).toEqual(first);
    } finally {
      await Promise.all([api2.stop(), worker2.stop()]);
      await adminDb.query(`drop database if exists ${database} with (force)`);
      await adminDb.end();
    }
  });

  it('without a passphrase leaves secrets out, says so, and the import lists what is missing', async () => {
    const { project } = await seedProject(['one']);
    const exported = await exportJob(project);
    const archive = await downloadArtifact(admin, exported.id);
    expect(archive.includes(Buffer.from(SECRET))).toBe(false);
    const manifest = (await openArchive(archive)).manifest;
    expect(manifest.secrets).toEqual({ mode: 'omitted', omitted: [{ type: 'alias', name: 'backend-cred', field: 'password' }] });

    const imported = await finishedJob(admin, await importForm(admin, await createProject(admin), archive));
    expect(imported.state).toBe('succeeded');
    expect(imported.result.secrets.warnings.join(' ')).toContain('secret password of alias "backend-cred" is missing');
  });

  it('refuses a wrong passphrase with a clear error and changes nothing', async () => {
    const { project } = await seedProject(['one']);
    const archive = await downloadArtifact(admin, (await exportJob(project, { passphrase: PASSPHRASE })).id);
    const target = await createProject(admin);
    const failed = await finishedJob(admin, await importForm(admin, target, archive, { passphrase: 'not the passphrase' }));
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ status: 422, reason: 'wrong-passphrase' });
    expect(await proxiesOf(target)).toEqual([]);
  });

  describe('conflict policies (DESIGN table) for proxies and shared policies', () => {
    let source: string;
    let archive: Buffer;
    beforeAll(async () => {
      ({ project: source } = await seedProject(['orders']));
      archive = await downloadArtifact(admin, (await exportJob(source)).id);
    });

    /** A target already holding the archive's assets, changed so overwrites can be seen. */
    async function clashingTarget(): Promise<string> {
      const target = await createProject(admin);
      const first = await finishedJob(admin, await importForm(admin, target, archive));
      expect(first.state).toBe('succeeded');
      const changed = await admin.put(`/v1/projects/${target}/apiProxies/orders`, proxyBody({ name: 'orders', basePath: '/changed', endpoints: [{ method: 'DELETE', path: '/local' }] }));
      expect(changed.status).toBe(200);
      return target;
    }

    it('fail (default): the import fails listing every clash and nothing changes', async () => {
      const target = await clashingTarget();
      const before = await proxiesOf(target);
      const failed = await finishedJob(admin, await importForm(admin, target, archive));
      expect(failed.state).toBe('failed');
      expect(failed.error.status).toBe(409);
      const conflicts = failed.error.report.items.filter((i: any) => i.action === 'conflict').map((i: any) => `${i.type}:${i.name}`);
      expect(conflicts.sort()).toEqual(['alias:backend-cred', 'apiProxy:orders', 'policy:shared-auth']);
      expect(await proxiesOf(target)).toEqual(before);
    });

    it('overwrite: the existing assets are replaced completely', async () => {
      const target = await clashingTarget();
      const done = await finishedJob(admin, await importForm(admin, target, archive, { conflicts: 'overwrite' }));
      expect(done.state).toBe('succeeded');
      expect(done.result.counts.apiProxy.overwritten).toBe(1);
      expect(done.result.counts.policy.overwritten).toBe(1);
      const [orders] = await proxiesOf(target);
      expect(orders.basePath).toBe('/orders');
      expect(orders.endpoints.map((e: any) => e.method)).toEqual(['GET', 'POST']);
      expect(orders.revision).toBe(3);
    });

    it('rename: the existing asset stays and a suffixed copy is created; the report names it', async () => {
      const target = await clashingTarget();
      const done = await finishedJob(admin, await importForm(admin, target, archive, { conflicts: 'rename' }));
      expect(done.state).toBe('succeeded');
      const item = done.result.items.find((i: any) => i.type === 'apiProxy');
      expect(item).toMatchObject({ action: 'rename', newName: 'orders-imported', newBasePath: '/orders-imported' });
      const names = (await proxiesOf(target)).map((p: any) => [p.name, p.basePath]);
      expect(names).toEqual([['orders', '/changed'], ['orders-imported', '/orders-imported']]);
      const renamedPolicy = done.result.items.find((i: any) => i.type === 'policy');
      expect(renamedPolicy.newName).toBe('shared-auth-imported');
      // The renamed proxy points at the renamed copy of its shared policy.
      const copy = (await admin.get(`/v1/projects/${target}/apiProxies/orders-imported`)).body;
      expect(copy.policies.request[0].sharedPolicy).toEqual({ uuid: renamedPolicy.uuid, name: 'shared-auth-imported' });
    });

    it('keep: existing assets are left as they are and reported as skipped', async () => {
      const target = await clashingTarget();
      const done = await finishedJob(admin, await importForm(admin, target, archive, { conflicts: 'keep' }));
      expect(done.state).toBe('succeeded');
      expect(done.result.counts.apiProxy).toMatchObject({ skipped: 1, created: 0 });
      expect(done.result.counts.policy.skipped).toBe(1);
      expect((await proxiesOf(target))[0].basePath).toBe('/changed');
    });

    it('per type: overwrite proxies, keep policies', async () => {
      const target = await clashingTarget();
      const done = await finishedJob(admin, await importForm(admin, target, archive, { conflicts: { apiProxy: 'overwrite', policy: 'keep', alias: 'keep' } }));
      expect(done.state).toBe('succeeded');
      expect(done.result.counts.apiProxy.overwritten).toBe(1);
      expect(done.result.counts.policy.skipped).toBe(1);
    });

    it('new assets are created under every policy', async () => {
      for (const conflicts of ['fail', 'overwrite', 'rename', 'keep']) {
        const done = await finishedJob(admin, await importForm(admin, await createProject(admin), archive, { conflicts }));
        expect(done.result.counts.apiProxy.created).toBe(1);
      }
    });

    it('dryRun returns the plan the real import then applies, and changes nothing', async () => {
      const target = await clashingTarget();
      const before = await proxiesOf(target);
      const plan = await finishedJob(admin, await importForm(admin, target, archive, { conflicts: 'rename', dryRun: true }));
      expect(plan.result.dryRun).toBe(true);
      expect(await proxiesOf(target)).toEqual(before);
      const real = await finishedJob(admin, await importForm(admin, target, archive, { conflicts: 'rename' }));
      expect(real.result.items).toEqual(plan.result.items);
      expect(real.result.counts).toEqual(plan.result.counts);
    });
  });

  it('restores resources wherever the archive holds them: after their proxy (read in the same pass) or before it', async () => {
    const writer = new ArchiveWriter({ source: { instance: 'test', project: 'crafted' } });
    const chunks: Buffer[] = [];
    writer.output.on('data', (chunk: Buffer) => chunks.push(chunk));
    const ended = new Promise((resolve) => writer.output.on('end', resolve));
    const withDocs = (name: string) => ({ ...proxyBody({ name }), uuid: randomUUID(), name, basePath: `/${name}`, resources: [{ name: 'README.md', contentType: 'text/markdown' }, { name: 'notes.txt', contentType: 'text/plain' }] });
    const early = withDocs('resources-first');
    await writer.addResource('resources-first', 'README.md', Readable.from([Buffer.from('# early\n')]));
    await writer.addResource('resources-first', 'notes.txt', Readable.from([Buffer.from('early notes ✓')]));
    await writer.addJson('apiProxy', early, early);
    const late = withDocs('resources-after');
    await writer.addJson('apiProxy', late, late);
    await writer.addResource('resources-after', 'README.md', Readable.from([Buffer.from('# late\n')]));
    await writer.addResource('resources-after', 'notes.txt', Readable.from([Buffer.from('late notes ✓')]));
    await writer.finish();
    await ended;

    const target = await createProject(admin);
    const done = await finishedJob(admin, await importForm(admin, target, Buffer.concat(chunks)));
    expect(done.state).toBe('succeeded');
    for (const [name, word] of [['resources-first', 'early'], ['resources-after', 'late']]) {
      const proxy = (await admin.get(`/v1/projects/${target}/apiProxies/${name}`)).body;
      expect(proxy.resources.map((r: any) => [r.name, r.content])).toEqual([['README.md', `# ${word}\n`], ['notes.txt', `${word} notes ✓`]]);
    }
  });

  it('inside one archive the first of two same-named proxies wins; a missing dependency fails only its dependents', async () => {
    const base = proxyBody({ name: 'twin' });
    const archive = await craftArchive([
      { type: 'apiProxy', doc: { ...base, uuid: randomUUID(), name: 'twin', basePath: '/first' } },
      { type: 'apiProxy', doc: { ...base, uuid: randomUUID(), name: 'twin', basePath: '/second' } },
      { type: 'apiProxy', doc: { ...proxyBody({ name: 'needy' }), name: 'needy', uuid: randomUUID(), policies: { request: [{ name: 'p', type: 'SHARED', sharedPolicy: { uuid: randomUUID(), name: 'ghost' } }] } } },
      { type: 'policy', doc: { uuid: randomUUID(), name: 'dup-policy', type: 'X', phase: 'request', config: {} } },
      { type: 'policy', doc: { uuid: randomUUID(), name: 'dup-policy', type: 'Y', phase: 'request', config: {} } },
    ]);
    const target = await createProject(admin);
    const done = await finishedJob(admin, await importForm(admin, target, archive));
    expect(done.state).toBe('succeeded');
    const byName = (type: string, name: string) => done.result.items.filter((i: any) => i.type === type && i.name === name).map((i: any) => i.action);
    expect(byName('apiProxy', 'twin')).toEqual(['create', 'failed']);
    expect(byName('policy', 'dup-policy')).toEqual(['create', 'failed']);
    const needy = done.result.items.find((i: any) => i.name === 'needy');
    expect(needy).toMatchObject({ action: 'failed', dependencyFailed: true });
    expect(needy.error).toContain('ghost');
    expect((await proxiesOf(target)).map((p: any) => [p.name, p.basePath])).toEqual([['twin', '/first']]);
    expect((await admin.get(`/v1/projects/${target}/policies/dup-policy`)).body.type).toBe('X');
  });

  it('applies routing, maintenanceMode and endpointMap overrides; validates deploy targets up front', async () => {
    const { project } = await seedProject(['mapped']);
    const archive = await downloadArtifact(admin, (await exportJob(project)).id);
    const target = await createProject(admin);

    const unknownEnv = await importForm(admin, target, archive, { deploy: true, deployTargetEnvironmentNameList: ['nowhere'] });
    expect(unknownEnv.status).toBe(400);
    expect(unknownEnv.body.detail).toContain('nowhere');
    expect(await proxiesOf(target)).toEqual([]);

    await admin.post(`/v1/projects/${target}/environments`, { name: 'prod', driver: 'http' });
    const done = await finishedJob(
      admin,
      await importForm(admin, target, archive, {
        endpointMap: { 'http://127.0.0.1:9001': 'https://prod-backend.internal' },
        maintenanceMode: true,
        deploy: true,
        deployTargetEnvironmentNameList: ['prod'],
      }),
    );
    expect(done.state).toBe('succeeded');
    // 'prod' has no adminUrl: the deployment fails with a clear message, the import stays applied.
    expect(done.result.deployment).toMatchObject({ status: 'failed', environments: ['prod'] });
    expect(done.result.deploymentResult).toMatchObject({
      success: false,
      environmentResults: [{ environmentName: 'prod', success: false, message: expect.stringContaining('settings.adminUrl is required') }],
    });
    const [mapped] = await proxiesOf(target);
    expect(mapped.maintenanceMode).toBe(true);
    expect(mapped.routing.addressList.map((a: any) => a.address)).toEqual(['https://prod-backend.internal', 'http://127.0.0.1:9002']);

    const rerouted = await finishedJob(
      admin,
      await importForm(admin, await createProject(admin), archive, { routing: { algorithm: 'IP_HASH', addressList: [{ address: 'http://10.0.0.1:80' }] } }),
    );
    expect(rerouted.state).toBe('succeeded');
  });

  it('imports from a presigned multipart upload', async () => {
    const { project } = await seedProject(['uploaded']);
    const archive = await downloadArtifact(admin, (await exportJob(project)).id);
    const target = await createProject(admin);
    const upload = await admin.post(`/v1/projects/${target}/uploads`, { fileName: 'big.ZIP', size: archive.length });
    expect(upload.status).toBe(201);
    expect(upload.body.parts).toHaveLength(1);
    const put = await fetch(upload.body.parts[0].url, { method: 'PUT', body: new Uint8Array(archive) });
    expect(put.status).toBe(200);
    const early = await admin.post(`/v1/projects/${target}/imports`, { uploadId: upload.body.id });
    expect(early.status).toBe(409);
    const complete = await admin.post(`/v1/projects/${target}/uploads/${upload.body.id}/complete`, { parts: [{ partNumber: 1, etag: put.headers.get('etag') }] });
    expect(complete.status).toBe(200);
    expect(complete.body).toMatchObject({ state: 'ready', size: archive.length });
    const done = await finishedJob(admin, await admin.post(`/v1/projects/${target}/imports`, { uploadId: upload.body.id }));
    expect(done.state).toBe('succeeded');
    expect((await proxiesOf(target)).map((p: any) => p.name)).toEqual(['uploaded']);
  });

  it('refuses form uploads that are not ZIP archives before any job exists', async () => {
    const target = await createProject(admin);
    const wrongExtension = await importForm(admin, target, Buffer.from('PK\x03\x04junk'), {}, 'archive.tar');
    expect(wrongExtension.status).toBe(400);
    expect(wrongExtension.body.detail).toContain('.zip');
    const notZip = await importForm(admin, target, Buffer.from('this is plain text, not a zip'), {}, 'archive.zip');
    expect(notZip.status).toBe(400);
    expect(notZip.body.detail).toContain('not a ZIP');
    expect((await admin.get(`/v1/jobs?project=${target}`)).body.items).toEqual([]);
  });

  it('exports a selection with only what it needs, as a single-proxy archive vendor tools read', async () => {
    const { project, proxies } = await seedProject(['alpha', 'beta']);
    const exported = await exportJob(project, { proxies: [proxies[0].uuid] });
    const reader = await openArchive(await downloadArtifact(admin, exported.id));
    const paths = reader.entries().map((e) => e.path).sort();
    expect(paths).toEqual(['aliases/backend-cred.json', 'alpha.json', 'apiProxies/alpha.json', 'policies/shared-auth.json']);
    expect(reader.manifest.dependencies).toEqual(expect.arrayContaining([expect.objectContaining({ required: true })]));
    const missing = await admin.post(`/v1/projects/${project}/exports`, { proxies: ['nope'] });
    expect(missing.status).toBe(404);
    expect(missing.body.missing).toEqual(['nope']);
  });
});

describe('a canceled export leaves nothing behind', () => {
  it('aborts its multipart upload: no object and no upload remain', async () => {
    const prefix = `${testEnv().queuePrefix}-${uniqueName('cancel-export')}`;
    const api = await startProcess('api', { QUEUE_PREFIX: prefix });
    const worker = await startProcess('worker', { QUEUE_PREFIX: prefix, JOB_STEP_DELAY_MS: '100' });
    try {
      const admin = new ApiClient(api.url, testEnv().adminToken);
      const project = await createProject(admin);
      for (let i = 0; i < 40; i++) await createProxy(admin, project, { name: `p${i}`, resources: [{ name: 'big.txt', content: 'x'.repeat(300_000) }] });
      const created = await admin.post(`/v1/projects/${project}/exports`, { include: { resources: true } });
      await eventually(async () => {
        const job = (await admin.get(`/v1/jobs/${created.body.id}`)).body;
        return job.state === 'running' && job.progress?.done >= 25 ? job : undefined;
      }, 'export to be well under way');
      expect((await admin.post(`/v1/jobs/${created.body.id}/cancel`)).status).toBe(202);
      const job = await finishedJob(admin, created);
      expect(job.state).toBe('canceled');

      const env = testEnv();
      const store = new ObjectStore({ ...env.s3, forcePathStyle: true, createBucket: false });
      const project_id = (await admin.get(`/v1/projects/${project}`)).body.id;
      await eventually(async () => ((await store.listMultipartUploads(`exports/${project_id}/`)).length === 0 ? true : undefined), 'multipart uploads to be aborted');
      expect(await store.list(`exports/${project_id}/`)).toEqual([]);
      store.close();
    } finally {
      await Promise.all([api.stop(), worker.stop()]);
    }
  });
});
