import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAcceptingGateway } from './support/backends.js';
import { assetDocuments, craftArchive, openArchive } from './support/archives.js';
import { createProject, createProxy, createToken, proxyBody, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { downloadArtifact, finishedJob, importForm } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

const SECRET = 'alias-secret-never-in-clear';
const PASSPHRASE = 'archive face passphrase';

interface Seeded {
  project: string;
  orders: any;
  billing: any;
  auth: any;
  log: any;
  cred: any;
  unusedPolicy: any;
  unusedAlias: any;
  app: any;
}

describe('asset archive face (webMethods-shaped export and import)', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let seeded: Seeded;
  const prefix = `${testEnv().queuePrefix}-asset-archive`;
  const env = { QUEUE_PREFIX: prefix, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' };

  /** GET /rest/apigateway/archive; answers the status, headers and (for a zip) the bytes. */
  async function exportArchive(query: string, headers: Record<string, string> = {}, token = admin.token) {
    const response = await fetch(`${api.url}/rest/apigateway/archive?${query}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
    const bytes = Buffer.from(await response.arrayBuffer());
    const json = response.headers.get('content-type')?.includes('json') ? JSON.parse(bytes.toString('utf8')) : undefined;
    return { status: response.status, headers: response.headers, bytes, json };
  }

  async function searchExport(project: string, body: unknown) {
    const response = await fetch(`${api.url}/rest/apigateway/archive?project=${project}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const json = response.headers.get('content-type')?.includes('json') ? JSON.parse(bytes.toString('utf8')) : undefined;
    return { status: response.status, bytes, json };
  }

  /** POST /rest/apigateway/archive with the archive as `zipFile`. */
  async function importArchive(query: string, archive: Buffer | undefined, opts: { fileName?: string; fields?: Record<string, string>; headers?: Record<string, string>; token?: string } = {}) {
    const form = new FormData();
    for (const [k, v] of Object.entries(opts.fields ?? {})) form.append(k, v);
    if (archive) form.append('zipFile', new Blob([new Uint8Array(archive)]), opts.fileName ?? 'archive.zip');
    const token = opts.token ?? admin.token;
    const response = await fetch(`${api.url}/rest/apigateway/archive?${query}`, {
      method: 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(opts.headers ?? {}) },
      body: form,
    });
    return { status: response.status, body: (await response.json()) as any };
  }

  async function paths(archive: Buffer): Promise<string[]> {
    return (await openArchive(archive)).entries().map((e) => e.path).filter((p) => p !== 'manifest.json').sort();
  }

  async function catalogOf(project: string) {
    const [proxies, policies, aliases, applications] = await Promise.all(
      ['apiProxies?limit=500', 'policies', 'aliases', 'applications'].map(async (c) => (await admin.get(`/v1/projects/${project}/${c}`)).body.items),
    );
    return { proxies, policies, aliases, applications };
  }

  /** orders uses two shared policies, one of which uses an alias; billing uses none; an app subscribes to orders. */
  async function seed(): Promise<Seeded> {
    const project = await createProject(admin);
    const cred = (await admin.post(`/v1/projects/${project}/aliases`, { name: 'backend-cred', kind: 'BASIC_AUTH', value: { username: 'svc' }, secrets: { password: SECRET } })).body;
    const unusedAlias = (await admin.post(`/v1/projects/${project}/aliases`, { name: 'unused-alias', kind: 'VALUE', value: { v: 1 } })).body;
    const auth = (await admin.post(`/v1/projects/${project}/policies`, { name: 'shared-auth', type: 'BASIC_AUTH', phase: 'request', config: { realm: 'x' }, aliases: [{ uuid: cred.uuid, name: 'backend-cred' }] })).body;
    const log = (await admin.post(`/v1/projects/${project}/policies`, { name: 'shared-log', type: 'LOG', phase: 'response', config: { level: 'info' } })).body;
    const unusedPolicy = (await admin.post(`/v1/projects/${project}/policies`, { name: 'unused-policy', type: 'LOG', phase: 'request', config: {} })).body;
    const orders = await createProxy(admin, project, {
      name: 'orders',
      policies: {
        request: [{ name: 'auth', type: 'SHARED', sharedPolicy: { uuid: auth.uuid, name: 'shared-auth' } }],
        response: [{ name: 'log', type: 'SHARED', sharedPolicy: { uuid: log.uuid, name: 'shared-log' } }],
      },
    });
    const billing = await createProxy(admin, project, { name: 'billing' });
    const app = (await admin.post(`/v1/projects/${project}/applications`, { name: 'mobile-app', subscriptions: [{ uuid: orders.uuid, name: 'orders' }], secrets: { apiKey: 'k-123' } })).body;
    for (const created of [cred, unusedAlias, auth, log, unusedPolicy, app]) expect(created.uuid).toBeDefined();
    return { project, orders, billing, auth, log, cred, unusedPolicy, unusedAlias, app };
  }

  beforeAll(async () => {
    [api, worker] = await Promise.all([startProcess('api', env), startProcess('worker', env)]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    seeded = await seed();
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
  });

  describe('export', () => {
    it('apis=<one id> holds the API, both shared policies it uses and the alias one of them uses — nothing else', async () => {
      const answer = await exportArchive(`apis=${seeded.orders.uuid}&project=${seeded.project}`);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-disposition')).toBe('attachment; filename="apigateway-archive.zip"');
      expect(await paths(answer.bytes)).toEqual(['aliases/backend-cred.json', 'apiProxies/orders.json', 'policies/shared-auth.json', 'policies/shared-log.json']);
      expect(answer.bytes.includes(Buffer.from(SECRET))).toBe(false);
      const docs = await assetDocuments(answer.bytes);
      expect(docs.get('apiProxies/orders.json')).toMatchObject({ uuid: seeded.orders.uuid, deployments: [] });
    });

    it('includeOptionalDependencies adds the subscribed application (with its subscriptions), and only that', async () => {
      const answer = await exportArchive(`apis=orders&includeOptionalDependencies=true`, { 'x-apiferry-project': seeded.project });
      expect(answer.status).toBe(200);
      expect(await paths(answer.bytes)).toEqual([
        'aliases/backend-cred.json',
        'apiProxies/orders.json',
        'applications/mobile-app.json',
        'policies/shared-auth.json',
        'policies/shared-log.json',
      ]);
      expect((await assetDocuments(answer.bytes)).get('applications/mobile-app.json').subscriptions).toEqual([{ uuid: seeded.orders.uuid, name: 'orders' }]);
    });

    it('each type parameter selects exactly its assets: a policy alone, every alias, an application with the API it needs', async () => {
      const cases: [string, string[]][] = [
        [`policies=${seeded.unusedPolicy.uuid}`, ['policies/unused-policy.json']],
        ['policies=shared-auth', ['aliases/backend-cred.json', 'policies/shared-auth.json']],
        ['aliases=*', ['aliases/backend-cred.json', 'aliases/unused-alias.json']],
        ['applications=mobile-app', ['aliases/backend-cred.json', 'apiProxies/orders.json', 'applications/mobile-app.json', 'policies/shared-auth.json', 'policies/shared-log.json']],
        ['apis=*', ['aliases/backend-cred.json', 'apiProxies/billing.json', 'apiProxies/orders.json', 'policies/shared-auth.json', 'policies/shared-log.json']],
        ['apis=billing,orders&aliases=unused-alias', ['aliases/backend-cred.json', 'aliases/unused-alias.json', 'apiProxies/billing.json', 'apiProxies/orders.json', 'policies/shared-auth.json', 'policies/shared-log.json']],
      ];
      for (const [query, expected] of cases) {
        const answer = await exportArchive(`${query}&project=${seeded.project}`);
        expect({ query, status: answer.status }).toEqual({ query, status: 200 });
        expect({ query, paths: await paths(answer.bytes) }).toEqual({ query, paths: expected });
      }
    });

    it('the search form selects by type and name pattern, with required dependencies', async () => {
      const byName = await searchExport(seeded.project, { types: ['api'], scope: [{ attributeName: 'apiName', keyword: 'ORD*' }] });
      expect(byName.status).toBe(200);
      expect(await paths(byName.bytes)).toEqual(['aliases/backend-cred.json', 'apiProxies/orders.json', 'policies/shared-auth.json', 'policies/shared-log.json']);

      const policies = await searchExport(seeded.project, { types: ['POLICY'], responseFields: ['id', 'policyName'], from: 0, size: -1 });
      expect(await paths(policies.bytes)).toEqual(['aliases/backend-cred.json', 'policies/shared-auth.json', 'policies/shared-log.json', 'policies/unused-policy.json']);

      const both = await searchExport(seeded.project, { types: ['api', 'alias'], scope: [{ keyword: 'b*' }, { keyword: '*-cred' }], condition: 'or', includeOptionalDependencies: true });
      expect(await paths(both.bytes)).toEqual(['aliases/backend-cred.json', 'apiProxies/billing.json']);

      const none = await searchExport(seeded.project, { types: ['application'], scope: [{ keyword: 'nothing-like-this*' }] });
      expect(none.status).toBe(404);
      expect(none.json.errorDetails).toMatch(/No asset/);
      // SQL's own wildcards are plain characters in a pattern.
      expect((await searchExport(seeded.project, { types: ['api'], scope: [{ keyword: 'b_lling' }, { keyword: '%' }] })).status).toBe(404);
      const single = await searchExport(seeded.project, { types: ['api'], scope: [{ keyword: 'b?lling' }] });
      expect(await paths(single.bytes)).toEqual(['apiProxies/billing.json']);
      const either = await searchExport(seeded.project, { types: ['api'], scope: [{ keyword: 'o*' }, { keyword: '*g' }] });
      expect((await paths(either.bytes)).filter((p) => p.startsWith('apiProxies/'))).toEqual(['apiProxies/billing.json', 'apiProxies/orders.json']);
      expect((await searchExport(seeded.project, { types: ['api'], scope: [{ keyword: 'o*' }, { keyword: '*g' }], condition: 'and' })).status).toBe(404);
      const all = await searchExport(seeded.project, { types: ['api'], scope: [{ keyword: 'b*' }, { keyword: '*g' }], condition: 'and' });
      expect(await paths(all.bytes)).toEqual(['apiProxies/billing.json']);
    });

    it('seals secrets with the passphrase header, and they come back through the import', async () => {
      const answer = await exportArchive(`aliases=backend-cred&project=${seeded.project}`, { 'x-apiferry-passphrase': PASSPHRASE });
      expect(answer.status).toBe(200);
      expect(answer.bytes.includes(Buffer.from(SECRET))).toBe(false);
      expect((await assetDocuments(answer.bytes, PASSPHRASE)).get('aliases/backend-cred.json').secrets.password).toBe(SECRET);
    });
  });

  describe('import', () => {
    let ordersArchive: Buffer;

    beforeAll(async () => {
      ordersArchive = (await exportArchive(`apis=${seeded.orders.uuid}&project=${seeded.project}`)).bytes;
    });

    it('overwrite=apis: the API is replaced, the existing policy fails as existing, the rest is created; counts match', async () => {
      const target = await createProject(admin);
      const existingPolicy = (await admin.post(`/v1/projects/${target}/policies`, { name: 'shared-auth', type: 'BASIC_AUTH', phase: 'request', config: { realm: 'target' } })).body;
      await createProxy(admin, target, { name: 'orders', basePath: '/old' });

      const answer = await importArchive(`overwrite=apis&project=${target}`, ordersArchive);
      expect(answer.status).toBe(201);
      const byName = Object.fromEntries(answer.body.results.map((r: any) => [`${r.type}:${r.name}`, r]));
      expect(byName['api:orders']).toMatchObject({ status: 'Success', importedOK: true, overwritten: true, dependencyFailed: false });
      expect(byName['policy:shared-auth']).toMatchObject({ status: 'Failure', importedOK: false, overwritten: false, explanation: expect.stringContaining('already exists') });
      expect(byName['policy:shared-log']).toMatchObject({ status: 'Success', importedOK: true, overwritten: false, warning: false, explanation: 'Created.' });
      expect(byName['alias:backend-cred']).toMatchObject({ status: 'Success', importedOK: true });
      expect(answer.body.results).toHaveLength(4);
      expect(answer.body.counts).toEqual({
        api: { successful: 1, unsuccessful: 0, replaced: 1, warning: 1 },
        policy: { successful: 1, unsuccessful: 1, replaced: 0, warning: 0 },
        alias: { successful: 1, unsuccessful: 0, replaced: 0, warning: 0 },
        application: { successful: 0, unsuccessful: 0, replaced: 0, warning: 0 },
      });

      const catalog = await catalogOf(target);
      const orders = (await admin.get(`/v1/projects/${target}/apiProxies/orders`)).body;
      expect(orders.basePath).toBe('/orders');
      // The replaced API uses the policy the target already had, not a second copy.
      expect(orders.policies.request[0].sharedPolicy).toEqual({ uuid: existingPolicy.uuid, name: 'shared-auth' });
      expect(catalog.policies.find((p: any) => p.name === 'shared-auth')).toMatchObject({ uuid: existingPolicy.uuid, config: { realm: 'target' } });
      expect(catalog.policies.map((p: any) => p.name).sort()).toEqual(['shared-auth', 'shared-log']);
    });

    it('overwrite=* replaces every clashing type; no overwrite fails each clashing asset alone', async () => {
      const everything = await createProject(admin);
      await admin.post(`/v1/projects/${everything}/policies`, { name: 'shared-auth', type: 'BASIC_AUTH', phase: 'request', config: { realm: 'target' } });
      await createProxy(admin, everything, { name: 'orders', basePath: '/old' });
      const all = await importArchive(`overwrite=*&project=${everything}`, ordersArchive);
      expect(all.status).toBe(201);
      expect(all.body.results.every((r: any) => r.importedOK)).toBe(true);
      expect(all.body.counts.policy).toEqual({ successful: 2, unsuccessful: 0, replaced: 1, warning: 1 });
      expect((await catalogOf(everything)).policies.find((p: any) => p.name === 'shared-auth').config).toEqual({ realm: 'x' });

      const none = await createProject(admin);
      await createProxy(admin, none, { name: 'orders', basePath: '/old' });
      const plain = await importArchive(`project=${none}`, ordersArchive, { fields: { overwrite: 'policies,aliases' } });
      expect(plain.status).toBe(201);
      expect(plain.body.results.find((r: any) => r.type === 'api')).toMatchObject({ name: 'orders', status: 'Failure', importedOK: false, overwritten: false, explanation: expect.stringContaining('already exists') });
      expect(plain.body.counts.api).toEqual({ successful: 0, unsuccessful: 1, replaced: 0, warning: 0 });
      expect(plain.body.counts.policy.successful).toBe(2);
      expect((await admin.get(`/v1/projects/${none}/apiProxies/orders`)).body.basePath).toBe('/old');
    });

    it('an API whose required policy is neither in the archive nor in the target fails as dependencyFailed; the rest imports', async () => {
      const lonely = proxyBody({ name: 'lonely', uuid: randomUUID(), policies: { request: [{ name: 'g', type: 'SHARED', sharedPolicy: { uuid: randomUUID(), name: 'ghost-policy' } }] } });
      const fine = proxyBody({ name: 'fine', uuid: randomUUID() });
      const archive = await craftArchive([
        { type: 'apiProxy', doc: lonely as any },
        { type: 'apiProxy', doc: fine as any },
      ]);
      const target = await createProject(admin);
      const answer = await importArchive(`project=${target}`, archive);
      expect(answer.status).toBe(201);
      expect(answer.body.results.find((r: any) => r.name === 'lonely')).toMatchObject({ status: 'Failure', importedOK: false, dependencyFailed: true, explanation: expect.stringContaining('ghost-policy') });
      expect(answer.body.results.find((r: any) => r.name === 'fine')).toMatchObject({ status: 'Success', dependencyFailed: false });
      expect(answer.body.counts.api).toEqual({ successful: 1, unsuccessful: 1, replaced: 0, warning: 0 });
      expect((await catalogOf(target)).proxies.map((p: any) => p.name)).toEqual(['fine']);
    });

    it('preserveAssetState=true deploys each API where the archive says it ran; false leaves it undeployed', async () => {
      const gateway = await startAcceptingGateway();
      try {
        const source = await createProject(admin);
        const environment = uniqueName('edge');
        expect((await admin.post(`/v1/projects/${source}/environments`, { name: environment, driver: 'http', settings: { adminUrl: `${gateway.url}/source` } })).status).toBe(201);
        await createProxy(admin, source, { name: 'live' });
        await createProxy(admin, source, { name: 'idle' });
        const deployed = await finishedJob(admin, await admin.post(`/v1/projects/${source}/apiProxies/live/deployments`, { environments: [environment] }));
        expect(deployed.state).toBe('succeeded');
        const archive = (await exportArchive(`apis=*&project=${source}`)).bytes;
        expect((await assetDocuments(archive)).get('apiProxies/live.json').deployments).toMatchObject([{ environment, status: 'deployed' }]);

        const preserved = await createProject(admin);
        await admin.post(`/v1/projects/${preserved}/environments`, { name: environment, driver: 'http', settings: { adminUrl: `${gateway.url}/target` } });
        const answer = await importArchive(`project=${preserved}&preserveAssetState=true`, archive);
        expect(answer.status).toBe(201);
        expect(answer.body.deploymentResult).toMatchObject({ success: true, environmentResults: [{ environmentName: environment, success: true }] });
        expect((await admin.get(`/v1/projects/${preserved}/apiProxies/live/deployments`)).body.items).toEqual([expect.objectContaining({ environment, status: 'deployed' })]);
        expect((await admin.get(`/v1/projects/${preserved}/apiProxies/idle/deployments`)).body.items).toEqual([]);
        expect(gateway.puts.filter((p) => p.startsWith('/target/'))).toHaveLength(1);

        const plain = await createProject(admin);
        await admin.post(`/v1/projects/${plain}/environments`, { name: environment, driver: 'http', settings: { adminUrl: `${gateway.url}/plain` } });
        const off = await importArchive(`project=${plain}&preserveAssetState=false`, archive);
        expect(off.status).toBe(201);
        expect(off.body.deploymentResult).toBeUndefined();
        expect((await admin.get(`/v1/projects/${plain}/apiProxies/live/deployments`)).body.items).toEqual([]);
        expect(gateway.puts.filter((p) => p.startsWith('/plain/'))).toHaveLength(0);

        const exportOnly = await createToken(admin, [{ project: plain, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }]);
        const denied = await importArchive(`project=${plain}&preserveAssetState=true&overwrite=*`, archive, { token: exportOnly });
        expect(denied.status).toBe(403);
        expect(denied.body.errorDetails).toContain('API_MANAGEMENT:DEPLOY_UNDEPLOY');
      } finally {
        await gateway.stop();
      }
    });

    it('one archive format: a face archive imports through /v1, and a /v1 export imports through the face', async () => {
      const viaV1 = await finishedJob(admin, await importForm(admin, await createProject(admin), ordersArchive));
      expect(viaV1.state).toBe('succeeded');
      expect(viaV1.result.counts.apiProxy.created).toBe(1);

      const exported = await finishedJob(admin, await admin.post(`/v1/projects/${seeded.project}/exports`, { proxies: ['billing'] }));
      const target = await createProject(admin);
      const answer = await importArchive(`project=${target}`, await downloadArtifact(admin, exported.id));
      expect(answer.status).toBe(201);
      expect(answer.body.results).toEqual([expect.objectContaining({ type: 'api', name: 'billing', id: seeded.billing.uuid, importedOK: true })]);
    });

    it('one archive format with the proxy face: its export imports here, and an archive from here imports there', async () => {
      const proxyFaceExport = await fetch(`${api.url}/apiops/projects/${seeded.project}/apiProxies/billing/export/`, { headers: { authorization: `Bearer ${admin.token}` } });
      expect(proxyFaceExport.status).toBe(200);
      const target = await createProject(admin);
      const here = await importArchive(`project=${target}`, Buffer.from(await proxyFaceExport.arrayBuffer()));
      expect(here.status).toBe(201);
      expect(here.body.results).toEqual([expect.objectContaining({ type: 'api', name: 'billing', importedOK: true })]);

      const other = await createProject(admin);
      const form = new FormData();
      form.append('metadata', '{}');
      form.append('apiProxyExportFile', new Blob([new Uint8Array(ordersArchive)]), 'apigateway-archive.zip');
      const there = await fetch(`${api.url}/apiops/projects/${other}/apiProxies/import/`, { method: 'POST', headers: { authorization: `Bearer ${admin.token}` }, body: form });
      expect(there.status).toBe(200);
      expect(((await there.json()) as any).apiProxies).toEqual([{ name: 'orders', action: 'create' }]);
    });

    it('restores sealed secrets with the passphrase header', async () => {
      const sealed = (await exportArchive(`aliases=backend-cred&project=${seeded.project}`, { 'x-apiferry-passphrase': PASSPHRASE })).bytes;
      const target = await createProject(admin);
      const answer = await importArchive(`project=${target}`, sealed, { headers: { 'x-apiferry-passphrase': PASSPHRASE } });
      expect(answer.status).toBe(201);
      expect(answer.body.warnings).toEqual([]);
      expect((await catalogOf(target)).aliases[0].secretFields).toEqual(['password']);
    });
  });

  it("answers bad input in the vendor's error shape and changes nothing", async () => {
    const target = await createProject(admin);
    const archive = (await exportArchive(`apis=billing&project=${seeded.project}`)).bytes;
    const exports: [Promise<{ status: number; json: any }>, number, RegExp][] = [
      [exportArchive('apis=orders'), 400, /project/],
      [exportArchive(`project=${seeded.project}`), 400, /Name the assets/],
      [exportArchive(`apis=ghost-api&project=${seeded.project}`), 404, /No api "ghost-api"/],
      [exportArchive(`policies=*,x&project=${seeded.project}`), 400, /either \*/],
      [exportArchive(`apis=orders&project=${uniqueName('nowhere')}`), 404, /does not exist/],
      [exportArchive(`apis=orders&project=${seeded.project}`, {}, 'afy_bad'), 401, /token/i],
      [exportArchive(`apis=orders&project=${seeded.project}`, {}, await createToken(admin, [{ project: target, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }])), 403, /lacks API_MANAGEMENT:EXPORT_IMPORT/],
      [exportArchive(`apis=orders&project=${seeded.project}&includeOptionalDependencies=maybe`), 400, /true or false/],
      [exportArchive(`apis=orders&project=${seeded.project}`, { 'x-apiferry-passphrase': 'short' }), 400, /8 to 1024/],
      [searchExport(seeded.project, { types: ['gadget'] }), 400, /Unknown asset type "gadget"/],
      [searchExport(seeded.project, {}), 400, /types/],
    ];
    for (const [pending, status, details] of exports) {
      const answer = await pending;
      expect(answer.status).toBe(status);
      expect(answer.json.errorDetails).toMatch(details);
    }
    const imports: [Promise<{ status: number; body: any }>, number, RegExp][] = [
      [importArchive(`project=${target}`, undefined, { fields: { overwrite: '*' } }), 400, /zipFile part is required/],
      [importArchive(`project=${target}&overwrite=apis,gadgets`, archive), 400, /Unknown asset type "gadgets"/],
      [importArchive(`project=${target}&preserveAssetState=yes`, archive), 400, /preserveAssetState must be true or false/],
      [importArchive(`project=${target}`, Buffer.from('not a zip at all')), 400, /not a ZIP/],
      [importArchive(`project=${target}`, archive, { fileName: 'archive.tar' }), 400, /\.zip/],
      [importArchive(`project=${target}`, Buffer.concat([archive.subarray(0, archive.length - 40), Buffer.alloc(40)])), 400, /./],
      [importArchive(`project=${target}`, archive, { token: 'afy_bad' }), 401, /token/i],
    ];
    for (const [pending, status, details] of imports) {
      const answer = await pending;
      expect({ status: answer.status, details: answer.body.errorDetails }).toEqual({ status, details: expect.stringMatching(details) });
    }
    expect(await catalogOf(target)).toEqual({ proxies: [], policies: [], aliases: [], applications: [] });
  });

  it('answers 202 with the job location when the job outlasts the wait bound', async () => {
    const slow = await startProcess('api', { ...env, SYNC_WAIT_MS: '0' });
    try {
      const response = await fetch(`${slow.url}/rest/apigateway/archive?apis=*&project=${seeded.project}`, { headers: { authorization: `Bearer ${admin.token}` } });
      expect(response.status).toBe(202);
      const body: any = await response.json();
      expect(response.headers.get('location')).toBe(`/v1/jobs/${body.jobId}`);
      expect(body.status).toBe('IN_PROGRESS');
    } finally {
      await slow.stop();
    }
  });
});
