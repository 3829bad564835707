import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openArchive } from './support/archives.js';
import { createProject, createProxy, createToken, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

/** Multipart call in the vendor's shape: `metadata` JSON and the `apiProxyExportFile` part. */
async function vendorImport(
  client: ApiClient,
  method: 'POST' | 'PUT',
  path: string,
  file: { bytes: Buffer; name: string } | undefined,
  metadata?: string,
): Promise<{ status: number; body: any }> {
  const form = new FormData();
  if (metadata !== undefined) form.append('metadata', metadata);
  if (file) form.append('apiProxyExportFile', new Blob([new Uint8Array(file.bytes)]), file.name);
  const response = await fetch(`${client.baseUrl}${path}`, { method, headers: client.token ? { authorization: `Bearer ${client.token}` } : {}, body: form });
  return { status: response.status, body: await response.json() };
}

describe('proxy face (vendor-compatible export and import)', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let admin: ApiClient;
  let source: string;
  let archive: Buffer;
  const prefix = `${testEnv().queuePrefix}-face`;

  beforeAll(async () => {
    [api, worker] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix })]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    source = await createProject(admin);
    await createProxy(admin, source, { name: 'orders' });
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop()]);
  });

  it('exports one proxy as apiProxyExportFile.zip holding {apiProxyName}.json and the manifest', async () => {
    const response = await fetch(`${api.url}/apiops/projects/${source}/apiProxies/orders/export/`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="apiProxyExportFile.zip"');
    archive = Buffer.from(await response.arrayBuffer());
    const reader = await openArchive(archive);
    const paths = reader.entries().map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['orders.json', 'apiProxies/orders.json']));
    const bare: any = await reader.readJson('orders.json');
    expect(bare).toMatchObject({ name: 'orders', basePath: '/orders' });
  });

  it('imports without override: a clash gets a suffixed name, and the answer says which', async () => {
    const first = await vendorImport(admin, 'POST', `/apiops/projects/${source}/apiProxies/import/`, { bytes: archive, name: 'apiProxyExportFile.ZIP' }, '{}');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      status: 'SUCCESS',
      deploymentResult: { success: true, environmentResults: [] },
      apiProxies: [{ name: 'orders', action: 'rename', newName: 'orders-imported' }],
    });
    const names = (await admin.get(`/v1/projects/${source}/apiProxies`)).body.items.map((p: any) => p.name);
    expect(names).toEqual(['orders', 'orders-imported']);
  });

  it('imports with override: the named proxy is replaced', async () => {
    const target = await createProject(admin);
    await createProxy(admin, target, { name: 'orders', basePath: '/old' });
    const answer = await vendorImport(admin, 'PUT', `/apiops/projects/${target}/apiProxies/orders/import/`, { bytes: archive, name: 'apiProxyExportFile.zip' }, '{"deploy": false}');
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('SUCCESS');
    expect((await admin.get(`/v1/projects/${target}/apiProxies/orders`)).body.basePath).toBe('/orders');
  });

  it('reports a requested deployment to an unconfigured environment as failed in the vendor deploymentResult; the import stays', async () => {
    const target = await createProject(admin);
    await admin.post(`/v1/projects/${target}/environments`, { name: 'test', driver: 'http' });
    const answer = await vendorImport(admin, 'POST', `/apiops/projects/${target}/apiProxies/import/`, { bytes: archive, name: 'a.zip' }, JSON.stringify({ deploy: true, deployTargetEnvironmentNameList: ['test'] }));
    expect(answer.status).toBe(200);
    expect(answer.body.status).toBe('SUCCESS');
    expect(answer.body.deploymentResult).toMatchObject({
      success: false,
      environmentResults: [{ environmentName: 'test', success: false, message: expect.stringContaining('settings.adminUrl is required') }],
    });
    expect((await admin.get(`/v1/projects/${target}/apiProxies/orders`)).status).toBe(200);
  });

  it("answers bad input in the vendor's error shape and imports nothing", async () => {
    const target = await createProject(admin);
    const path = `/apiops/projects/${target}/apiProxies/import/`;
    const cases: [Promise<{ status: number; body: any }>, number, string, RegExp][] = [
      [vendorImport(admin, 'POST', path, undefined, '{}'), 400, 'bad_request', /apiProxyExportFile is required/],
      [vendorImport(admin, 'POST', path, { bytes: Buffer.alloc(0), name: 'a.zip' }, '{}'), 400, 'bad_request', /empty/],
      [vendorImport(admin, 'POST', path, { bytes: Buffer.from('plain text'), name: 'a.zip' }, '{}'), 400, 'bad_request', /not a ZIP/],
      [vendorImport(admin, 'POST', path, { bytes: archive, name: 'a.json' }, '{}'), 400, 'bad_request', /\.zip/],
      [vendorImport(admin, 'POST', path, { bytes: archive, name: 'a.zip' }, '{not json'), 400, 'bad_request', /metadata is not valid JSON/],
      [vendorImport(admin, 'PUT', `/apiops/projects/${target}/apiProxies/ghost/import/`, { bytes: archive, name: 'a.zip' }, '{}'), 404, 'not_found', /ghost/],
      [vendorImport(admin, 'POST', `/apiops/projects/${uniqueName('nowhere')}/apiProxies/import/`, { bytes: archive, name: 'a.zip' }, '{}'), 404, 'not_found', /does not exist/],
      [vendorImport(admin.withToken('afy_bad'), 'POST', path, { bytes: archive, name: 'a.zip' }, '{}'), 401, 'unauthorized_client', /token/],
      [vendorImport(admin, 'POST', `/apiops/projects/%20/apiProxies/import/`, { bytes: archive, name: 'a.zip' }, '{}'), 400, 'bad_request', /Project name cannot be empty/],
    ];
    for (const [pending, status, error, description] of cases) {
      const answer = await pending;
      expect({ status: answer.status, error: answer.body.error }).toEqual({ status, error });
      expect(answer.body.error_description).toMatch(description);
    }
    const exportUnknown = await fetch(`${api.url}/apiops/projects/${source}/apiProxies/ghost/export/`, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(exportUnknown.status).toBe(404);
    expect(await exportUnknown.json()).toMatchObject({ error: 'not_found' });
    expect((await admin.get(`/v1/projects/${target}/apiProxies`)).body.items).toEqual([]);
  });

  it('answers 202 with the job location when the job outlasts the wait bound', async () => {
    const slowPrefix = `${testEnv().queuePrefix}-${uniqueName('face-slow')}`;
    const slowApi = await startProcess('api', { QUEUE_PREFIX: slowPrefix, SYNC_WAIT_MS: '300' });
    try {
      const token = await createToken(admin, [{ project: source, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }]);
      const response = await fetch(`${slowApi.url}/apiops/projects/${source}/apiProxies/orders/export/`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(202);
      const body: any = await response.json();
      expect(response.headers.get('location')).toBe(`/v1/jobs/${body.jobId}`);
    } finally {
      await slowApi.stop();
    }
  });
});
