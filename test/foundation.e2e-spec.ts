import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ApiClient } from './support/http.js';
import { createProject, createProxy, createToken, proxyBody, uniqueName } from './support/factory.js';
import { eventually, startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

describe('foundation: catalog API, access and problem details', () => {
  let api: RunningProcess;
  let admin: ApiClient;
  let anonymous: ApiClient;

  beforeAll(async () => {
    api = await startProcess('api');
    anonymous = new ApiClient(api.url);
    admin = anonymous.withToken(testEnv().adminToken);
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('answers 401 problem+json without a token, with a malformed one and with an unknown one', async () => {
    for (const client of [anonymous, anonymous.withToken('not-a-token'), anonymous.withToken('afy_' + 'A'.repeat(38))]) {
      const answer = await client.get('/v1/projects');
      expect(answer.status).toBe(401);
      expect(answer.contentType).toContain('application/problem+json');
      expect(answer.body).toMatchObject({ status: 401, title: 'Unauthorized', type: 'urn:apiferry:problem:unauthorized' });
    }
  });

  it('answers 403 without the permission, identically whether or not the project exists', async () => {
    const mine = await createProject(admin);
    const other = await createProject(admin);
    const token = await createToken(admin, [{ project: mine, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }]);
    const client = anonymous.withToken(token);

    expect((await client.get(`/v1/projects/${mine}`)).status).toBe(200);
    const existing = await client.get(`/v1/projects/${other}`);
    const missing = await client.get(`/v1/projects/${uniqueName('nowhere')}`);
    expect(existing.status).toBe(403);
    expect(missing.status).toBe(403);
    expect(Object.keys(existing.body).sort()).toEqual(Object.keys(missing.body).sort());
    expect(existing.body.title).toBe(missing.body.title);

    // EXPORT_IMPORT does not let the token edit the catalog or create projects.
    expect((await client.post(`/v1/projects/${mine}/apiProxies`, proxyBody())).status).toBe(403);
    expect((await client.post('/v1/projects', { name: uniqueName('p') })).status).toBe(403);
    // It lists only the projects it holds a grant on.
    const listed = await client.get('/v1/projects');
    expect(listed.body.items.map((p: { name: string }) => p.name)).toEqual([mine]);
  });

  it('drops the grants of a deleted project: a new project of the same name starts with none', async () => {
    const name = await createProject(admin);
    const token = await createToken(admin, [{ project: name, permission: 'PROJECT_ADMIN' }]);
    const client = anonymous.withToken(token);
    expect((await client.get(`/v1/projects/${name}`)).status).toBe(200);
    expect((await admin.delete(`/v1/projects/${name}`)).status).toBe(204);
    await createProject(admin, name);
    expect((await client.get(`/v1/projects/${name}`)).status).toBe(403);
  });

  it('answers 404 on an unknown project for an instance admin', async () => {
    const answer = await admin.get(`/v1/projects/${uniqueName('nowhere')}/apiProxies`);
    expect(answer.status).toBe(404);
    expect(answer.contentType).toContain('application/problem+json');
    expect(answer.body.detail).toContain('does not exist');
  });

  it('rejects a malformed proxy with problem+json pointing at each bad field, and stores nothing', async () => {
    const project = await createProject(admin);
    const answer = await admin.post(`/v1/projects/${project}/apiProxies`, {
      ...proxyBody(),
      name: '',
      routing: { algorithm: 'FASTEST', addressList: [{ address: 'not a url', weight: 0, soapType: 'SOAP99' }] },
    });
    expect(answer.status).toBe(400);
    expect(answer.contentType).toContain('application/problem+json');
    const pointers = answer.body.errors.map((e: { pointer: string }) => e.pointer);
    expect(pointers).toEqual(
      expect.arrayContaining([
        '/name',
        '/routing/algorithm',
        '/routing/addressList/0/weight',
        '/routing/addressList/0/address',
        '/routing/addressList/0/soapType',
      ]),
    );
    expect(JSON.stringify(answer.body)).not.toMatch(/stack|select |insert /i);
    expect((await admin.get(`/v1/projects/${project}/apiProxies`)).body.items).toEqual([]);
  });

  it('creates, reads, replaces and deletes a whole proxy definition; replacing bumps the revision', async () => {
    const project = await createProject(admin);
    const created = await createProxy(admin, project, { name: 'orders' });
    expect(created).toMatchObject({ name: 'orders', revision: 1, routing: { algorithm: 'WEIGHTED_ROUND_ROBIN' } });
    expect(created.uuid).toMatch(/^[0-9a-f-]{36}$/);

    const byUuid = await admin.get(`/v1/projects/${project}/apiProxies/${created.uuid}`);
    expect(byUuid.body.endpoints).toHaveLength(2);

    const replaced = await admin.put(`/v1/projects/${project}/apiProxies/orders`, proxyBody({ name: 'orders', endpoints: [], maintenanceMode: true }));
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ uuid: created.uuid, revision: 2, maintenanceMode: true, endpoints: [] });

    const clash = await admin.post(`/v1/projects/${project}/apiProxies`, proxyBody({ name: 'orders' }));
    expect(clash.status).toBe(409);

    expect((await admin.delete(`/v1/projects/${project}/apiProxies/orders`)).status).toBe(204);
    expect((await admin.get(`/v1/projects/${project}/apiProxies/orders`)).status).toBe(404);
  });

  it('pages through lists with opaque cursors', async () => {
    const project = await createProject(admin);
    for (const name of ['a', 'b', 'c', 'd', 'e']) await createProxy(admin, project, { name });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await admin.get(`/v1/projects/${project}/apiProxies?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((p: { name: string }) => p.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect((await admin.get(`/v1/projects/${project}/apiProxies?cursor=garbage`)).status).toBe(400);
    expect((await admin.get(`/v1/projects/${project}/apiProxies?limit=0`)).status).toBe(400);
  });

  it('manages environments per project', async () => {
    const project = await createProject(admin);
    const created = await admin.post(`/v1/projects/${project}/environments`, { name: 'production', driver: 'http', settings: { adminUrl: 'http://127.0.0.1:1' } });
    expect(created.status).toBe(201);
    expect((await admin.post(`/v1/projects/${project}/environments`, { name: 'production', driver: 'http' })).status).toBe(409);
    expect((await admin.post(`/v1/projects/${project}/environments`, { name: 'x', driver: 'ftp' })).status).toBe(400);
    const updated = await admin.put(`/v1/projects/${project}/environments/production`, { driver: 'nginx', settings: {} });
    expect(updated.body.driver).toBe('nginx');
    expect((await admin.get(`/v1/projects/${project}/environments`)).body.items).toHaveLength(1);
    expect((await admin.delete(`/v1/projects/${project}/environments/production`)).status).toBe(204);
  });

  it('creates tokens shown once, lists them without the secret, and revokes them', async () => {
    const project = await createProject(admin);
    const created = await admin.post('/v1/tokens', { name: 'ci', grants: [{ project, permission: 'PROJECT_ADMIN' }], expiresInDays: 7 });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^afy_/);
    const client = anonymous.withToken(token);
    expect((await client.get(`/v1/projects/${project}`)).status).toBe(200);

    // Last use is recorded after the answer (it never slows a request): poll for it.
    const listed = await eventually(async () => {
      const answer = await admin.get('/v1/tokens');
      const found = answer.body.items.find((t: { id: string; lastUsedAt: string | null }) => t.id === created.body.id);
      return found?.lastUsedAt ? answer : undefined;
    }, 'the token\'s last use to be recorded');
    const entry = listed.body.items.find((t: { id: string }) => t.id === created.body.id);
    expect(entry).toMatchObject({ name: 'ci', prefix: token.slice(0, 10), grants: [{ project, permission: 'PROJECT_ADMIN' }] });
    expect(JSON.stringify(listed.body)).not.toContain(token);

    // A project admin may not mint instance admins or grants beyond its projects.
    expect((await client.post('/v1/tokens', { name: 'x', instanceAdmin: true })).status).toBe(403);
    expect((await client.post('/v1/tokens', { name: 'x', grants: [{ project: uniqueName('other'), permission: 'PROJECT_ADMIN' }] })).status).toBe(403);
    expect((await admin.post('/v1/tokens', { name: 'x', expiresInDays: 5000 })).status).toBe(400);

    expect((await admin.delete(`/v1/tokens/${created.body.id}`)).status).toBe(204);
    const revoked = await client.get(`/v1/projects/${project}`);
    expect(revoked.status).toBe(401);
    expect(revoked.body.detail).toContain('revoked');
  });

  it('serves health, metrics and the OpenAPI document without a token', async () => {
    const ready = await anonymous.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: { status: 'ok' }, redis: { status: 'ok' }, objectStore: { status: 'ok' } });
    const metrics = await anonymous.get('/metrics');
    expect(metrics.body).toContain('apiferry_http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('apiferry_queue_depth');
    const doc = await anonymous.get('/docs/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/projects', '/v1/jobs/{id}', '/v1/projects/{project}/apiProxies']));
    // The shared model's annotations (kept out of the worker, applied by the API at start).
    expect(doc.body.components.schemas.PolicyStepModel).toMatchObject({
      properties: { name: { type: 'string', example: 'rate-limit' }, type: { type: 'string' }, sharedPolicy: { $ref: '#/components/schemas/SharedPolicyRefModel' } },
      required: ['name', 'type'],
    });
  });

  it('never writes the bearer token to its logs', async () => {
    await admin.get('/v1/projects');
    expect(api.output.join('\n')).not.toContain(testEnv().adminToken);
  });
});
