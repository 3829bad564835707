import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { assetDocuments, openArchive } from './support/archives.js';
import { createProject, createProxy, createToken, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { finishedJob, importForm } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

const PRIVATE_KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQ-never-in-clear\n-----END PRIVATE KEY-----';
const CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIC-orders\n-----END CERTIFICATE-----';
const PASSPHRASE = 'package face passphrase';

interface Seeded {
  project: string;
  orders: any;
  ordersV2: any;
  other: any;
  alice: string;
  bob: string;
}

interface Opened {
  paths: string[];
  docs: Map<string, any>;
  bytes: Buffer;
}

describe('package face (Akana-shaped API packages)', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let seeded: Seeded;
  const prefix = `${testEnv().queuePrefix}-package`;

  async function exportPackage(path: string, headers: Record<string, string> = {}, token = admin.token) {
    const response = await fetch(`${api.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
    const bytes = Buffer.from(await response.arrayBuffer());
    const json = response.headers.get('content-type')?.includes('json') ? JSON.parse(bytes.toString('utf8')) : undefined;
    return { status: response.status, headers: response.headers, bytes, json };
  }

  async function opened(bytes: Buffer, passphrase?: string): Promise<Opened> {
    const reader = await openArchive(bytes);
    return { paths: reader.entries().map((e) => e.path).filter((p) => p !== 'manifest.json').sort(), docs: await assetDocuments(bytes, passphrase), bytes };
  }

  async function importPackage(tenant: string, archive: Buffer | undefined, opts: { properties?: string; propertiesAsField?: boolean; headers?: Record<string, string>; token?: string; fileName?: string } = {}) {
    const form = new FormData();
    if (archive) form.append('Package', new Blob([new Uint8Array(archive)]), opts.fileName ?? 'api-export.zip');
    if (opts.properties !== undefined) {
      if (opts.propertiesAsField) form.append('Properties', opts.properties);
      else form.append('Properties', new Blob([opts.properties]), 'migration.properties');
    }
    const token = opts.token ?? admin.token;
    const response = await fetch(`${api.url}/api/tenants/${tenant}/packages`, { method: 'POST', headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(opts.headers ?? {}) }, body: form });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function catalogOf(project: string) {
    const [proxies, policies, aliases, applications] = await Promise.all(
      ['apiProxies?limit=500', 'policies', 'aliases', 'applications'].map(async (c) => (await admin.get(`/v1/projects/${project}/${c}`)).body.items),
    );
    return { proxies, policies, aliases, applications };
  }

  /**
   * orders (v1) and orders-v2 are two versions of one API; orders uses an operational
   * policy (which needs an alias) and a QoS policy, names a PKI alias, has two admins (one
   * of them a user of the instance), scopes, a document and a subscribed application.
   */
  async function seed(): Promise<Seeded> {
    const project = await createProject(admin);
    const alice = uniqueName('alice');
    const bob = uniqueName('bob');
    await createToken(admin, [{ project, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }], alice);
    const cred = (await admin.post(`/v1/projects/${project}/aliases`, { name: 'backend-cred', kind: 'BASIC_AUTH', value: { username: 'svc' }, secrets: { password: 'pw' } })).body;
    const pki = (await admin.post(`/v1/projects/${project}/aliases`, { name: 'orders-pki', kind: 'PKI', value: { certificate: CERTIFICATE }, secrets: { privateKey: PRIVATE_KEY } })).body;
    const audit = (await admin.post(`/v1/projects/${project}/policies`, { name: 'audit-log', type: 'DETAILED_AUDIT', phase: 'request', config: {}, aliases: [{ uuid: cred.uuid, name: 'backend-cred' }] })).body;
    const quota = (await admin.post(`/v1/projects/${project}/policies`, { name: 'gold-quota', type: 'QUOTA', phase: 'request', config: { perMinute: 100 }, policyClass: 'qos' })).body;
    expect(quota.policyClass).toBe('qos');
    const orders = await createProxy(admin, project, {
      name: 'orders',
      version: 'v1',
      policies: {
        request: [
          { name: 'audit', type: 'SHARED', sharedPolicy: { uuid: audit.uuid, name: 'audit-log' } },
          { name: 'quota', type: 'SHARED', sharedPolicy: { uuid: quota.uuid, name: 'gold-quota' } },
        ],
      },
      admins: [{ user: alice }, { user: bob }],
      pki: { uuid: pki.uuid, name: 'orders-pki' },
      resources: [{ name: 'README.md', contentType: 'text/markdown', content: '# orders\n' }],
    });
    const ordersV2 = await createProxy(admin, project, { name: 'orders-v2', basePath: '/orders/v2', version: 'v2', versionOf: { uuid: orders.uuid, name: 'orders' } });
    const other = await createProxy(admin, project, { name: 'other' });
    const app = await admin.post(`/v1/projects/${project}/applications`, { name: 'partner-app', subscriptions: [{ uuid: orders.uuid, name: 'orders' }] });
    expect(app.status).toBe(201);
    return { project, orders, ordersV2, other, alice, bob };
  }

  beforeAll(async () => {
    [api, worker] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix })]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    seeded = await seed();
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
  });

  describe('export', () => {
    let base: Opened;
    const packagePath = () => `/api/apis/${seeded.orders.uuid}/package`;

    beforeAll(async () => {
      const answer = await exportPackage(packagePath());
      expect(answer.status).toBe(200);
      base = await opened(answer.bytes);
    });

    it('with no option holds every version of the API with its implementation services, and nothing around it', () => {
      expect(base.paths).toEqual(['apiProxies/orders-v2.json', 'apiProxies/orders.json']);
      const orders = base.docs.get('apiProxies/orders.json');
      expect(orders.routing.addressList).toHaveLength(2);
      for (const absent of ['admins', 'scopes', 'resources']) expect(orders[absent]).toBeUndefined();
      expect(orders.pki).toEqual({ uuid: expect.any(String), name: 'orders-pki' });
      expect(base.docs.get('apiProxies/orders-v2.json').versionOf).toEqual({ uuid: seeded.orders.uuid, name: 'orders' });
    });

    /** Each option alone: the entries it adds and how it changes each API document; nothing else differs. */
    const table: { option: string; headers?: Record<string, string>; addsPaths: string[]; changes?: (doc: any, name: string) => void }[] = [
      { option: 'migration.operationalpolicy.export=true', addsPaths: ['aliases/backend-cred.json', 'policies/audit-log.json'] },
      { option: 'migration.qospolicy.export=true', addsPaths: ['policies/gold-quota.json'] },
      { option: 'migration.pki.export=true', headers: { 'x-apiferry-passphrase': PASSPHRASE }, addsPaths: ['aliases/orders-pki.json'] },
      { option: 'migration.export.include.scopes=true', addsPaths: [], changes: (doc) => (doc.scopes = ['items:read']) },
      {
        option: 'migration.export.include.resources=true',
        addsPaths: ['resources/orders/README.md'],
        changes: (doc, name) => {
          if (name === 'orders') doc.resources = [{ name: 'README.md', contentType: 'text/markdown' }];
        },
      },
      { option: 'migration.export.include.api.connections=true', addsPaths: ['applications/partner-app.json'] },
      {
        option: 'migration.export.include.api.admins=true',
        addsPaths: [],
        changes: (doc, name) => {
          if (name === 'orders') doc.admins = [{ user: seeded.alice }, { user: seeded.bob }];
        },
      },
      { option: 'migration.export.include.services=false', addsPaths: [], changes: (doc) => delete doc.routing },
    ];

    it.each(table)('$option alone changes exactly its part of the package', async (row) => {
      const answer = await exportPackage(`${packagePath()}?${row.option}`, row.headers ?? {});
      expect(answer.status).toBe(200);
      const got = await opened(answer.bytes, row.headers ? PASSPHRASE : undefined);
      expect(got.paths).toEqual([...base.paths, ...row.addsPaths].sort());
      for (const name of ['orders', 'orders-v2']) {
        const expected = structuredClone(base.docs.get(`apiProxies/${name}.json`));
        row.changes?.(expected, name);
        expect(got.docs.get(`apiProxies/${name}.json`)).toEqual(expected);
      }
    });

    it('PKI travels sealed: the private key is never in clear, opens with the passphrase, and is refused without one', async () => {
      const answer = await exportPackage(`${packagePath()}?migration.pki.export=true`, { 'x-apiferry-passphrase': PASSPHRASE });
      expect(answer.bytes.includes(Buffer.from('never-in-clear'))).toBe(false);
      const manifest = (await openArchive(answer.bytes)).manifest;
      expect(manifest.secrets.mode).toBe('sealed');
      const pki = (await assetDocuments(answer.bytes, PASSPHRASE)).get('aliases/orders-pki.json');
      expect(pki).toMatchObject({ kind: 'PKI', value: { certificate: CERTIFICATE }, secrets: { privateKey: PRIVATE_KEY } });

      const refused = await exportPackage(`${packagePath()}?migration.pki.export=true`);
      expect(refused.status).toBe(400);
      expect(refused.json).toEqual({ code: 400, message: expect.stringContaining('passphrase') });
    });

    it('exportVersion picks one version (by version or id); an API id of any version names the whole API', async () => {
      const v2 = await opened((await exportPackage(`${packagePath()}?exportVersion=v2`)).bytes);
      expect(v2.paths).toEqual(['apiProxies/orders-v2.json']);
      const v1 = await opened((await exportPackage(`${packagePath()}?exportVersion=${seeded.orders.uuid}`)).bytes);
      expect(v1.paths).toEqual(['apiProxies/orders.json']);
      const viaV2Id = await opened((await exportPackage(`/api/apis/${seeded.ordersV2.uuid}/package`)).bytes);
      expect(viaV2Id.paths).toEqual(base.paths);
      const missing = await exportPackage(`${packagePath()}?exportVersion=v9`);
      expect(missing.status).toBe(404);
      expect(missing.json.message).toContain('no version "v9"');
    });

    it('answers api-export.zip as an attachment for Accept: application/octet-stream, inline with download=false', async () => {
      const attached = await exportPackage(packagePath(), { accept: 'application/octet-stream' });
      expect(attached.status).toBe(200);
      expect(attached.headers.get('content-type')).toBe('application/octet-stream');
      expect(attached.headers.get('content-disposition')).toBe('attachment; filename="api-export.zip"');
      const inline = await exportPackage(`${packagePath()}?download=false`, { accept: 'application/octet-stream' });
      expect(inline.headers.get('content-disposition')).toBe('inline; filename="api-export.zip"');
      expect((await opened(inline.bytes)).paths).toEqual(base.paths);
      const refused = await exportPackage(packagePath(), { accept: 'application/json' });
      expect(refused.status).toBe(406);
      expect(refused.json.code).toBe(406);
    });

    it('a business-level export holds every API of the project, with the same options', async () => {
      const answer = await exportPackage(`/api/businesses/${seeded.project}/package?migration.qospolicy.export=true`);
      expect(answer.status).toBe(200);
      expect((await opened(answer.bytes)).paths).toEqual(['apiProxies/orders-v2.json', 'apiProxies/orders.json', 'apiProxies/other.json', 'policies/gold-quota.json']);
    });

    it('finds the API in the one project the caller can see, and needs the project named when several hold it', async () => {
      const copy = await createProject(admin);
      const withPolicies = await exportPackage(`${packagePath()}?migration.operationalpolicy.export=true&migration.qospolicy.export=true`);
      const copied = await finishedJob(admin, await importForm(admin, copy, withPolicies.bytes));
      expect(copied.result.counts.apiProxy.created).toBe(2);
      const ambiguous = await exportPackage(packagePath());
      expect(ambiguous.status).toBe(400);
      expect(ambiguous.json.message).toContain('several projects');
      const named = await exportPackage(`${packagePath()}?project=${copy}`);
      expect(named.status).toBe(200);
      const viaHeader = await exportPackage(packagePath(), { 'x-apiferry-project': seeded.project });
      expect(viaHeader.status).toBe(200);
      const onlySource = await createToken(admin, [{ project: seeded.project, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }]);
      expect((await exportPackage(packagePath(), {}, onlySource)).status).toBe(200);
      await admin.delete(`/v1/projects/${copy}`);
    });
  });

  it('answers 202 with the job location when the job outlasts the wait bound', async () => {
    const slow = await startProcess('api', { QUEUE_PREFIX: prefix, SYNC_WAIT_MS: '0' });
    try {
      const response = await fetch(`${slow.url}/api/businesses/${seeded.project}/package`, { headers: { authorization: `Bearer ${admin.token}` } });
      expect(response.status).toBe(202);
      const body: any = await response.json();
      expect(response.headers.get('location')).toBe(`/v1/jobs/${body.jobId}`);
      expect(body.status).toBe('IN_PROGRESS');
    } finally {
      await slow.stop();
    }
  });

  describe('import', () => {
    let full: Buffer;

    beforeAll(async () => {
      const options = [
        'migration.operationalpolicy.export=true',
        'migration.qospolicy.export=true',
        'migration.pki.export=true',
        'migration.export.include.api.admins=true',
        'migration.export.include.api.connections=true',
      ].join('&');
      const answer = await exportPackage(`/api/apis/${seeded.orders.uuid}/package?${options}`, { 'x-apiferry-passphrase': PASSPHRASE });
      expect(answer.status).toBe(200);
      full = answer.bytes;
    });

    it('imports the API although an admin is not a user here (a warning), and lists created, updated and warned', async () => {
      const tenant = await createProject(admin);
      const first = await importPackage(tenant, full, { headers: { 'x-apiferry-passphrase': PASSPHRASE } });
      expect(first.status).toBe(200);
      expect(first.body.status).toBe('success');
      expect(first.body.created.map((a: any) => `${a.type}:${a.name}`).sort()).toEqual([
        'alias:backend-cred',
        'alias:orders-pki',
        'apiProxy:orders',
        'apiProxy:orders-v2',
        'application:partner-app',
        'policy:audit-log',
        'policy:gold-quota',
      ]);
      expect(first.body.updated).toEqual([]);
      expect(first.body.failed).toEqual([]);
      expect(first.body.warned).toEqual([
        { type: 'apiProxy', id: seeded.orders.uuid, name: 'orders', warnings: [`admin "${seeded.bob}" is not a user of this instance; the relationship was not imported`] },
      ]);
      const orders = (await admin.get(`/v1/projects/${tenant}/apiProxies/orders`)).body;
      expect(orders.admins).toEqual([{ user: seeded.alice }]);
      expect((await catalogOf(tenant)).aliases.find((a: any) => a.name === 'orders-pki')).toMatchObject({ kind: 'PKI', value: { certificate: CERTIFICATE }, secretFields: ['privateKey'] });

      const again = await importPackage(tenant, full, { headers: { 'x-apiferry-passphrase': PASSPHRASE } });
      expect(again.status).toBe(200);
      expect(again.body.created).toEqual([]);
      expect(again.body.updated.map((a: any) => a.name).sort()).toEqual(['audit-log', 'backend-cred', 'gold-quota', 'orders', 'orders-pki', 'orders-v2', 'partner-app']);
    });

    it('the properties file maps source endpoint URLs to target ones', async () => {
      const tenant = await createProject(admin);
      const properties = ['# source endpoint = target endpoint', 'http\\://127.0.0.1\\:9001=https\\://orders.target.example/api', 'http://127.0.0.1:9002 = https://orders-b.target.example', ''].join('\n');
      const answer = await importPackage(tenant, full, { properties, headers: { 'x-apiferry-passphrase': PASSPHRASE } });
      expect(answer.status).toBe(200);
      const orders = (await admin.get(`/v1/projects/${tenant}/apiProxies/orders`)).body;
      expect(orders.routing.addressList.map((a: any) => a.address)).toEqual(['https://orders.target.example/api', 'https://orders-b.target.example']);
      expect(answer.body.warned.find((w: any) => w.name === 'orders').warnings).toContain('2 backend address(es) rewritten by endpointMap');

      const asField = await createProject(admin);
      const viaField = await importPackage(asField, full, { properties: 'http://127.0.0.1:9001=https://field.example', propertiesAsField: true });
      expect(viaField.status).toBe(200);
      expect((await admin.get(`/v1/projects/${asField}/apiProxies/orders`)).body.routing.addressList[0].address).toBe('https://field.example');
    });

    it('an API whose PKI alias is neither in the package nor in the project is imported with a warning', async () => {
      const tenant = await createProject(admin);
      const withoutPki = await exportPackage(`/api/apis/${seeded.orders.uuid}/package?migration.operationalpolicy.export=true&migration.qospolicy.export=true&exportVersion=v1&project=${seeded.project}`);
      const answer = await importPackage(tenant, withoutPki.bytes);
      expect(answer.status).toBe(200);
      expect(answer.body.created.map((a: any) => a.name)).toContain('orders');
      expect(answer.body.warned).toEqual([{ type: 'apiProxy', id: seeded.orders.uuid, name: 'orders', warnings: [expect.stringContaining('PKI alias "orders-pki" is neither in the archive nor in the project')] }]);
    });

    it('a package without implementation services keeps the routing of the API it updates; a new API fails alone', async () => {
      const tenant = await createProject(admin);
      const properties = 'http://127.0.0.1:9001=https://kept.target.example\nhttp://127.0.0.1:9002=https://kept-b.target.example';
      expect((await importPackage(tenant, full, { properties, headers: { 'x-apiferry-passphrase': PASSPHRASE } })).status).toBe(200);
      expect((await admin.delete(`/v1/projects/${tenant}/apiProxies/orders-v2`)).status).toBe(204);
      const servicesLess = await exportPackage(`/api/apis/${seeded.orders.uuid}/package?migration.export.include.services=false&project=${seeded.project}`);
      expect(servicesLess.status).toBe(200);

      const answer = await importPackage(tenant, servicesLess.bytes);
      expect(answer.status).toBe(200);
      expect(answer.body.updated).toEqual([{ type: 'apiProxy', id: seeded.orders.uuid, name: 'orders' }]);
      expect(answer.body.failed).toEqual([{ type: 'apiProxy', id: seeded.ordersV2.uuid, name: 'orders-v2', reason: expect.stringContaining('without its implementation services') }]);
      const orders = (await admin.get(`/v1/projects/${tenant}/apiProxies/orders`)).body;
      expect(orders.routing.addressList.map((a: any) => a.address)).toEqual(['https://kept.target.example', 'https://kept-b.target.example']);
      expect(orders.revision).toBe(2);
      expect((await admin.get(`/v1/projects/${tenant}/apiProxies/orders-v2`)).status).toBe(404);
    });

    it('one archive format: a package imports through the asset-archive face, the proxy face and /v1, and their archives through the package import', async () => {
      const viaArchiveFace = await createProject(admin);
      const form = new FormData();
      form.append('zipFile', new Blob([new Uint8Array(full)]), 'api-export.zip');
      const archiveFace = await fetch(`${api.url}/rest/apigateway/archive?project=${viaArchiveFace}`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, body: form });
      expect(archiveFace.status).toBe(201);
      expect(((await archiveFace.json()) as any).counts.api.successful).toBe(2);

      const viaProxyFace = await createProject(admin);
      const proxyForm = new FormData();
      proxyForm.append('metadata', '{}');
      proxyForm.append('apiProxyExportFile', new Blob([new Uint8Array(full)]), 'api-export.zip');
      const proxyFace = await fetch(`${api.url}/apiops/projects/${viaProxyFace}/apiProxies/import/`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, body: proxyForm });
      expect(proxyFace.status).toBe(200);
      expect(((await proxyFace.json()) as any).status).toBe('SUCCESS');

      const viaV1 = await finishedJob(admin, await importForm(admin, await createProject(admin), full));
      expect(viaV1.state).toBe('succeeded');

      const archive = await fetch(`${api.url}/rest/apigateway/archive?apis=other&project=${seeded.project}`, { headers: { authorization: `Bearer ${admin.token}` } });
      const tenant = await createProject(admin);
      const answer = await importPackage(tenant, Buffer.from(await archive.arrayBuffer()));
      expect(answer.status).toBe(200);
      expect(answer.body.created).toEqual([{ type: 'apiProxy', id: seeded.other.uuid, name: 'other' }]);

      const proxyFaceExport = await fetch(`${api.url}/apiops/projects/${seeded.project}/apiProxies/other/export/`, { headers: { authorization: `Bearer ${admin.token}` } });
      const fromProxyFace = await importPackage(await createProject(admin), Buffer.from(await proxyFaceExport.arrayBuffer()), { fileName: 'apiProxyExportFile.zip' });
      expect(fromProxyFace.status).toBe(200);
      expect(fromProxyFace.body.created).toEqual([{ type: 'apiProxy', id: seeded.other.uuid, name: 'other' }]);
    });

    it("answers bad input in the vendor's error shape and changes nothing", async () => {
      const tenant = await createProject(admin);
      const cases: [Promise<{ status: number; body: any }>, number, RegExp][] = [
        [importPackage(tenant, undefined, { properties: 'http://a=http://b' }), 400, /Package part is required/],
        [importPackage(tenant, Buffer.from('not a zip')), 400, /not a ZIP/],
        [importPackage(tenant, full, { fileName: 'api-export.tgz' }), 400, /\.zip/],
        [importPackage(tenant, full, { properties: 'orders=somewhere' }), 400, /http\(s\) URL/],
        [importPackage(tenant, full, { properties: 'no separator here' }), 400, /no "="/],
        [importPackage(uniqueName('nowhere'), full), 404, /does not exist/],
        [importPackage(tenant, full, { token: 'afy_bad' }), 401, /token/i],
        [importPackage(tenant, full, { headers: { 'x-apiferry-passphrase': 'a wrong passphrase' } }), 400, /passphrase/i],
      ];
      for (const [pending, status, message] of cases) {
        const answer = await pending;
        expect({ status: answer.status, code: answer.body.code, message: answer.body.message }).toEqual({ status, code: status, message: expect.stringMatching(message) });
      }
      expect(await catalogOf(tenant)).toEqual({ proxies: [], policies: [], aliases: [], applications: [] });

      const exports: [Promise<{ status: number; json: any }>, number, RegExp][] = [
        [exportPackage(`/api/apis/${randomUUID()}/package`), 404, /was not found/],
        [exportPackage('/api/apis/not-a-uuid/package'), 404, /was not found/],
        [exportPackage(`/api/apis/${seeded.orders.uuid}/package?migration.qospolicy.export=maybe`), 400, /true or false/],
        [exportPackage(`/api/apis/${seeded.orders.uuid}/package`, {}, 'afy_bad'), 401, /token/i],
        // A caller who may not export the API's project cannot learn that the API exists.
        [exportPackage(`/api/apis/${seeded.orders.uuid}/package`, {}, await createToken(admin, [{ project: tenant, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }])), 404, /was not found/],
        [exportPackage(`/api/businesses/${seeded.project}/package`, {}, await createToken(admin, [{ project: tenant, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }])), 403, /lacks/],
        [exportPackage(`/api/businesses/${uniqueName('nowhere')}/package`), 404, /does not exist/],
      ];
      for (const [pending, status, message] of exports) {
        const answer = await pending;
        expect({ status: answer.status, code: answer.json?.code, message: answer.json?.message }).toEqual({ status, code: status, message: expect.stringMatching(message) });
      }
    });
  });
});
