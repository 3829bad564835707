import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildRawZip } from '#archive';
import { parse as parseYaml } from 'yaml';
import { startAcceptingGateway, type AcceptingGateway } from './support/backends.js';
import { createProject, createProxy, createToken, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { finishedJob } from './support/jobs.js';
import { eventually, startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

const CORPUS = resolve(process.env.OPENAPI_CORPUS_DIR ?? join(process.cwd(), '../shared/fixtures/openapi'));
const corpusPresent = existsSync(join(CORPUS, 'SOURCES.md'));
if (!corpusPresent) console.warn(`OpenAPI corpus not found at ${CORPUS}: the real-world import tests are skipped.`);

const BASE = '/v2/a1b2c3/apigw/instances/inst-1';

interface Answer {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

async function call(client: ApiClient, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${client.baseUrl}${BASE}${path}`, {
    method,
    headers: { ...(client.token ? { authorization: `Bearer ${client.token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: response.status, body: parsed, text, headers: response.headers };
}

async function importCall(client: ApiClient, fields: Record<string, string>, document?: { text: string | Buffer; name: string }, path = '/openapi/import'): Promise<Answer> {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  if (document) form.append('file', new Blob([typeof document.text === 'string' ? document.text : new Uint8Array(document.text)]), document.name);
  const response = await fetch(`${client.baseUrl}${BASE}${path}`, { method: 'POST', headers: client.token ? { authorization: `Bearer ${client.token}` } : {}, body: form });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text, headers: response.headers };
}

/** The document text an export answered, parsed from its own format. */
function parseDocument(answer: Answer, type: 'json' | 'yaml'): Record<string, any> {
  return type === 'json' ? JSON.parse(answer.text) : parseYaml(answer.text);
}

async function validates(document: Record<string, unknown>): Promise<void> {
  await SwaggerParser.validate(structuredClone(document) as never, { resolve: { external: false } });
}

async function proxiesOf(admin: ApiClient, project: string): Promise<any[]> {
  const answer = await admin.get(`/v1/projects/${project}/apiProxies`);
  expect(answer.status).toBe(200);
  return answer.body.items;
}

async function finishedTask(client: ApiClient, taskId: string): Promise<any> {
  return eventually(
    async () => {
      const answer = await call(client, 'GET', `/async-tasks/${taskId}`);
      expect(answer.status).toBe(200);
      return ['succeed', 'failed'].includes(answer.body.task_status) ? answer.body : undefined;
    },
    `task ${taskId} to finish`,
    60_000,
  );
}

function shopDocument(title: string, paths: Record<string, unknown>, servers = [{ url: 'https://shop.internal/shop' }]): string {
  return JSON.stringify({ openapi: '3.0.3', info: { title, version: '1' }, servers, paths });
}

const op = (operationId: string) => ({ operationId, responses: { 200: { description: 'ok' } } });

/** A small hand-made 3.0 pet store (written here, not copied from the corpus): 3 operations and a schema. */
function petStoreDocument(title: string): string {
  return `openapi: 3.0.3
info: {title: ${title}, version: '1.0.0'}
servers: [{url: 'http://petstore.example.com/v1'}]
paths:
  /pets:
    get: {operationId: listPets, responses: {'200': {description: pets, content: {application/json: {schema: {$ref: '#/components/schemas/Pet'}}}}}}
    post: {operationId: createPets, responses: {'201': {description: created}}}
  /pets/{petId}:
    get:
      operationId: showPetById
      parameters: [{name: petId, in: path, required: true, schema: {type: string}}]
      responses: {'200': {description: a pet}}
components:
  schemas:
    Pet: {type: object, required: [id], properties: {id: {type: integer}}}
`;
}

/** A 3.1 document that describes only a webhook (3.1 allows that; there is nothing to import). */
const WEBHOOK_ONLY = `openapi: 3.1.0
info: {title: Webhook Example, version: '1'}
webhooks:
  newPet:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {'200': {description: received}}
`;

describe('APIG face: OpenAPI export and import', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let gateway: AcceptingGateway;
  let gatewayUrl: string;
  let admin: ApiClient;
  let group: string;
  let groupId: string;
  const prefix = `${testEnv().queuePrefix}-${uniqueName('apig')}`;

  beforeAll(async () => {
    // A gateway admin API that accepts every deployment, so a proxy can be deployed to an environment.
    gateway = await startAcceptingGateway();
    gatewayUrl = gateway.url;
    [api, worker] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix })]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    group = await createProject(admin);
    groupId = (await admin.get(`/v1/projects/${group}`)).body.id;
    await createProxy(admin, group, {
      name: 'orders',
      basePath: '/orders',
      endpoints: [
        { method: 'GET', path: '/items', operation: 'listItems', policies: { request: [{ name: 'auth', type: 'API_KEY', config: { header: 'x-api-key' } }] } },
        { method: 'GET', path: '/items/{id}', operation: 'getItem' },
        { method: 'ANY', path: '/raw', operation: 'raw' },
      ],
      maintenanceMode: true,
      cache: { enabled: true, ttlSeconds: 30 },
    });
    await createProxy(admin, group, { name: 'billing', basePath: '/billing' });
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop(), gateway?.stop()]);
  });

  for (const oasVersion of ['2.0', '3.0'] as const) {
    for (const type of ['json', 'yaml'] as const) {
      it(`exports the group as OpenAPI ${oasVersion} ${type}: define=spec, proxy and all each validate and carry what they promise`, async () => {
        for (const define of ['spec', 'proxy', 'all'] as const) {
          const answer = await call(admin, 'POST', '/openapi/export', { group_id: group, define, type, oas_version: oasVersion, version: '7.1.0' });
          expect(answer.status).toBe(200);
          expect(answer.headers.get('content-type')).toContain(type === 'json' ? 'application/json' : 'application/yaml');
          expect(answer.headers.get('content-disposition')).toBe(`attachment; filename="${group}.${type}"`);
          const document = parseDocument(answer, type);
          await validates(document);
          expect(oasVersion === '2.0' ? document.swagger : document.openapi).toBe(oasVersion === '2.0' ? '2.0' : '3.0.3');
          expect(document.info).toEqual({ title: group, version: '7.1.0' });
          expect(Object.keys(document.paths).sort()).toEqual(['/billing/items', '/orders/items', '/orders/items/{id}', '/orders/raw']);
          expect(document.paths['/orders/raw']['x-apigateway-any-method'].operationId).toBe('raw');
          const entries = document['x-apigateway-api-proxies'];
          if (define === 'spec') {
            expect(entries).toBeUndefined();
            expect(answer.text).not.toContain('x-apigateway-policies');
          } else {
            const orders = entries.find((e: any) => e.name === 'orders');
            expect(orders.backend).toEqual({ algorithm: 'WEIGHTED_ROUND_ROBIN', addressList: [{ address: 'http://127.0.0.1:9001', weight: 3 }, { address: 'http://127.0.0.1:9002' }] });
            expect(document.paths['/orders/items'].get['x-apigateway-api-proxy']).toBe('orders');
            if (define === 'proxy') expect(orders.maintenanceMode).toBeUndefined();
            else {
              expect(orders).toMatchObject({ maintenanceMode: true, cache: { enabled: true, ttlSeconds: 30 }, cors: { enabled: true } });
              expect(document.paths['/orders/items'].get['x-apigateway-policies']).toEqual({ request: [{ name: 'auth', type: 'API_KEY', config: { header: 'x-api-key' } }] });
            }
          }
        }
      });
    }
  }

  it('sets info.version to the export time when no version is given, and exports only the named apis', async () => {
    const before = Date.now();
    const answer = await call(admin, 'POST', '/openapi/export', { group_id: groupId, apis: ['billing'], oas_version: '3.0' });
    expect(answer.status).toBe(200);
    const document = JSON.parse(answer.text);
    expect(Object.keys(document.paths)).toEqual(['/billing/items']);
    expect(Date.parse(document.info.version)).toBeGreaterThanOrEqual(before - 5_000);
  });

  it('says what the document could not carry: warnings in the answer headers and in the task', async () => {
    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'documented', resources: [{ name: 'README.md', contentType: 'text/markdown', content: '# hi' }] });
    const answer = await call(admin, 'POST', '/openapi/export', { group_id: project });
    expect(answer.status).toBe(200);
    const expected = ['API proxy "documented" has 1 documentation resource(s); an OpenAPI document does not carry them.'];
    expect(answer.headers.get('x-apiferry-warnings-count')).toBe('1');
    expect(JSON.parse(decodeURIComponent(answer.headers.get('x-apiferry-warnings') as string))).toEqual(expected);
    const task = await call(admin, 'GET', `/async-tasks/${answer.headers.get('x-apiferry-task-id')}`);
    expect(JSON.parse(task.body.task_result).warnings).toEqual(expected);
  });

  it('exports with env_id only the proxies deployed in that environment', async () => {
    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'live', basePath: '/live' });
    await createProxy(admin, project, { name: 'draft', basePath: '/draft' });
    expect((await admin.post(`/v1/projects/${project}/environments`, { name: 'prod', driver: 'http', settings: { adminUrl: `${gatewayUrl}/prod` } })).status).toBe(201);
    const deployed = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/live/deployments`, { environments: ['prod'] }));
    expect(deployed.state).toBe('succeeded');
    const answer = await call(admin, 'POST', '/openapi/export', { group_id: project, env_id: 'prod', type: 'yaml', define: 'proxy' });
    expect(answer.status).toBe(200);
    const document = parseYaml(answer.text);
    expect(document['x-apigateway-api-proxies'].map((e: any) => e.name)).toEqual(['live']);
    expect(Object.keys(document.paths)).toEqual(['/live/items']);
  });

  for (const oasVersion of ['2.0', '3.0'] as const) {
    for (const type of ['json', 'yaml'] as const) {
      it(`round trip ${oasVersion} ${type}: export, import into an empty group, export again gives the same document`, async () => {
        const first = await call(admin, 'POST', '/openapi/export', { group_id: group, define: 'all', type, oas_version: oasVersion, version: '1' });
        expect(first.status).toBe(200);
        const target = await createProject(admin);
        const imported = await importCall(admin, { group_id: target }, { text: first.text, name: `group.${type}` });
        expect(imported.status).toBe(200);
        expect(imported.body.failure).toEqual([]);
        expect(imported.body.ignore).toEqual([]);
        expect(imported.body.success).toHaveLength(5);
        expect(imported.body.success.every((s: any) => s.action === 'create')).toBe(true);
        const second = await call(admin, 'POST', '/openapi/export', { group_id: target, define: 'all', type, oas_version: oasVersion, version: '1' });
        const normalise = (doc: Record<string, any>) => ({ ...doc, info: { ...doc.info, title: 'group' } });
        expect(normalise(parseDocument(second, type))).toEqual(normalise(parseDocument(first, type)));
        const sourceOrders = (await admin.get(`/v1/projects/${group}/apiProxies/orders`)).body;
        const copy = (await admin.get(`/v1/projects/${target}/apiProxies/orders`)).body;
        for (const field of ['uuid', 'basePath', 'endpoints', 'routing', 'cache', 'cors', 'maintenanceMode', 'scopes']) expect(copy[field]).toEqual(sourceOrders[field]);
      });
    }
  }

  it('imports the Petstore into a new group named from info.title; the same title again is APIG.3201 and changes nothing', async () => {
    const title = uniqueName('Pet Store');
    const text = petStoreDocument(title);
    const created = await importCall(admin, {}, { text, name: 'petstore.yaml' });
    expect(created.status).toBe(200);
    const groupName = title.replace(' ', '-');
    expect(created.body).toMatchObject({ group_name: groupName, group_created: true, failure: [], ignore: [] });
    expect(created.body.success.map((s: any) => `${s.method} ${s.path} ${s.action}`)).toEqual(['GET /pets create', 'POST /pets create', 'GET /pets/{petId} create']);
    expect(created.body.warnings).toEqual(expect.arrayContaining([expect.stringContaining('schema definition(s) are documentation')]));
    const [proxy] = await proxiesOf(admin, groupName);
    expect(proxy).toMatchObject({ name: title, basePath: '/v1', routing: { addressList: [{ address: 'http://petstore.example.com/v1' }] } });
    expect(created.body.success[0].id).toBe(proxy.uuid);

    const again = await importCall(admin, {}, { text, name: 'petstore.yaml' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error_code: 'APIG.3201', error_msg: expect.stringContaining(`"${groupName}"`) });
    expect((await proxiesOf(admin, groupName)).map((p) => p.revision)).toEqual([proxy.revision]);
  });

  it('api_mode=merge keeps existing operations (ignore[]) and adds new ones; override replaces them; extend_mode decides the backend', async () => {
    const project = await createProject(admin);
    await createProxy(admin, project, {
      name: 'Shop',
      basePath: '/shop',
      endpoints: [{ method: 'GET', path: '/items', operation: 'oldList' }],
      routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: 'http://old.internal' }] },
    });
    const text = shopDocument('Shop', { '/items': { get: op('newList'), post: op('create') } });

    const merged = await importCall(admin, { group_id: project, api_mode: 'merge', extend_mode: 'merge' }, { text, name: 'shop.json' });
    expect(merged.status).toBe(200);
    expect(merged.body.ignore).toEqual([{ method: 'GET', path: '/items' }]);
    expect(merged.body.success).toEqual([{ path: '/items', method: 'POST', action: 'create', id: expect.any(String) }]);
    let [shop] = await proxiesOf(admin, project);
    expect(shop.endpoints).toEqual([
      { method: 'GET', path: '/items', operation: 'oldList' },
      { method: 'POST', path: '/items', operation: 'create' },
    ]);
    expect(shop.routing.addressList).toEqual([{ address: 'http://old.internal' }]);

    const overridden = await importCall(admin, { group_id: project, api_mode: 'override', extend_mode: 'override' }, { text, name: 'shop.json' });
    expect(overridden.status).toBe(200);
    expect(overridden.body.ignore).toEqual([]);
    expect(overridden.body.success.map((s: any) => `${s.method} ${s.action}`)).toEqual(['GET update', 'POST update']);
    [shop] = await proxiesOf(admin, project);
    expect(shop.endpoints).toEqual([
      { method: 'GET', path: '/items', operation: 'newList' },
      { method: 'POST', path: '/items', operation: 'create' },
    ]);
    expect(shop.routing.addressList).toEqual([{ address: 'https://shop.internal/shop' }]);
  });

  it('a define=spec export imported back into its group matches every operation: merge ignores them all, nothing changes', async () => {
    const before = await proxiesOf(admin, group);
    const spec = await call(admin, 'POST', '/openapi/export', { group_id: group, define: 'spec', oas_version: '3.0' });
    const answer = await importCall(admin, { group_id: group, api_mode: 'merge' }, { text: spec.text, name: 'spec.json' });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toEqual([]);
    expect(answer.body.failure).toEqual([]);
    expect(answer.body.ignore).toHaveLength(5);
    expect((await proxiesOf(admin, group)).map((p) => p.revision)).toEqual(before.map((p) => p.revision));
  });

  it('duplicate operations in one document: the first wins, the later ones are in failure[]', async () => {
    const project = await createProject(admin);
    const param = (name: string) => [{ name, in: 'path', required: true, schema: { type: 'string' } }];
    const text = shopDocument('Dups', {
      '/items/{id}': { get: { ...op('first'), parameters: param('id') } },
      '/items/{key}': { get: { ...op('second'), parameters: param('key') }, delete: { ...op('remove'), parameters: param('key') } },
    });
    const answer = await importCall(admin, { group_id: project }, { text, name: 'dups.json' });
    expect(answer.status).toBe(200);
    expect(answer.body.success.map((s: any) => `${s.method} ${s.path}`)).toEqual(['GET /items/{id}', 'DELETE /items/{key}']);
    expect(answer.body.failure).toEqual([{ path: '/items/{key}', method: 'GET', error_code: 'APIG.3301', error_msg: expect.stringContaining('the first one is imported') }]);
    const [proxy] = await proxiesOf(admin, project);
    expect(proxy.endpoints.map((e: any) => e.operation)).toEqual(['first', 'remove']);
  });

  it('a proxy that uses a shared policy the target group lacks fails with the reason; with the policy there it imports', async () => {
    const source = await createProject(admin);
    const policy = { name: 'shared-auth', type: 'BASIC_AUTH', phase: 'request', config: { realm: 'x' } };
    const created = await admin.post(`/v1/projects/${source}/policies`, policy);
    expect(created.status).toBe(201);
    await createProxy(admin, source, { name: 'guarded', policies: { request: [{ name: 'auth', type: 'SHARED', sharedPolicy: { uuid: created.body.uuid, name: 'shared-auth' } }] } });
    const exported = await call(admin, 'POST', '/openapi/export', { group_id: source, define: 'all', oas_version: '3.0' });
    const target = await createProject(admin);
    const refused = await importCall(admin, { group_id: target }, { text: exported.text, name: 'guarded.json' });
    expect(refused.status).toBe(200);
    expect(refused.body.success).toEqual([]);
    expect(refused.body.failure).toHaveLength(2);
    expect(refused.body.failure[0]).toMatchObject({ error_code: 'APIG.2012', error_msg: expect.stringContaining('uses the shared policy "shared-auth"') });
    expect(await proxiesOf(admin, target)).toEqual([]);

    expect((await admin.post(`/v1/projects/${target}/policies`, policy)).status).toBe(201);
    const accepted = await importCall(admin, { group_id: target }, { text: exported.text, name: 'guarded.json' });
    expect(accepted.body.failure).toEqual([]);
    expect(accepted.body.success).toHaveLength(2);
  });

  it('exports and imports as asynchronous tasks answered through async-tasks', async () => {
    const exported = await call(admin, 'POST', '/openapi/async-export', { group_id: group, define: 'all', type: 'yaml', oas_version: '3.0' });
    expect(exported.status).toBe(202);
    expect(exported.body).toEqual({ task_id: expect.any(String) });
    const exportTask = await finishedTask(admin, exported.body.task_id);
    expect(exportTask).toMatchObject({ task_id: exported.body.task_id, task_type: 'export_api', task_status: 'succeed' });
    const exportResult = JSON.parse(exportTask.task_result);
    expect(exportResult).toMatchObject({ file_name: `${group}.yaml`, api_count: 2, operation_count: 5, warnings: [] });
    const download = await fetch(exportResult.download_url);
    expect(download.status).toBe(200);
    const text = await download.text();
    await validates(parseYaml(text));

    const target = await createProject(admin);
    const imported = await importCall(admin, { group_id: target }, { text, name: 'group.yaml' }, '/openapi/async-import');
    expect(imported.status).toBe(202);
    const importTask = await finishedTask(admin, imported.body.task_id);
    expect(importTask).toMatchObject({ task_type: 'import_api', task_status: 'succeed' });
    const importResult = JSON.parse(importTask.task_result);
    expect(importResult).toMatchObject({ group_id: expect.any(String), failure: [], ignore: [] });
    expect(importResult.success).toHaveLength(5);
    expect((await proxiesOf(admin, target)).map((p) => p.name)).toEqual(['billing', 'orders']);

    const failing = await importCall(admin, { group_id: target }, { text: '{"openapi": "3.0.3"', name: 'broken.json' }, '/openapi/async-import');
    const failedTask = await finishedTask(admin, failing.body.task_id);
    expect(failedTask.task_status).toBe('failed');
    expect(JSON.parse(failedTask.task_result)).toEqual({ error_code: 'APIG.2012', error_msg: expect.any(String) });
  });

  it('imports a multi-file description sent as a ZIP of its folder; a ZIP whose entry leaves the folder is refused and changes nothing', async () => {
    const root = "openapi: 3.0.3\ninfo: {title: Split, version: '1'}\nservers: [{url: 'https://split.example.com/api'}]\npaths:\n  /things:\n    $ref: 'paths/things.yml'\n";
    const things = "get:\n  operationId: listThings\n  responses:\n    '200':\n      $ref: '../shared/responses.yml#/ok'\n";
    const zip = buildRawZip([
      { name: 'spec/root.yaml', data: Buffer.from(root) },
      { name: 'spec/paths/things.yml', data: Buffer.from(things) },
      { name: 'spec/shared/responses.yml', data: Buffer.from('ok:\n  description: fine\n') },
    ]);
    const project = await createProject(admin);
    const answer = await importCall(admin, { group_id: project }, { text: zip, name: 'split.zip' });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toEqual([{ path: '/things', method: 'GET', action: 'create', id: expect.any(String) }]);
    const [proxy] = await proxiesOf(admin, project);
    expect(proxy).toMatchObject({ name: 'Split', basePath: '/api', endpoints: [{ method: 'GET', path: '/things', operation: 'listThings' }] });

    const slip = buildRawZip([{ name: 'spec/root.yaml', data: Buffer.from(root) }, { name: '../paths/things.yml', data: Buffer.from(things) }]);
    const other = await createProject(admin);
    const refused = await importCall(admin, { group_id: other }, { text: slip, name: 'slip.zip' });
    expect(refused).toMatchObject({ status: 400, body: { error_code: 'APIG.2012', error_msg: expect.stringContaining('"../paths/things.yml" is refused') } });
    expect(await proxiesOf(admin, other)).toEqual([]);
  });

  it('an invalid document is APIG.2012 and the catalog is unchanged; a 3.1 webhook-only document is refused clearly', async () => {
    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'keep' });
    const broken = JSON.stringify({ openapi: '3.0.3', info: { title: 'x', version: '1' }, servers: [{ url: 'https://x.internal' }], paths: { '/a': { get: { responses: { 200: { $ref: '#/components/responses/Nope' } } } } } });
    const answer = await importCall(admin, { group_id: project }, { text: broken, name: 'broken.json' });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error_code: 'APIG.2012', error_msg: expect.stringContaining('cannot be read') });
    expect((await proxiesOf(admin, project)).map((p) => p.name)).toEqual(['keep']);

    const webhooks = await importCall(admin, {}, { text: WEBHOOK_ONLY, name: 'webhooks.yaml' });
    expect(webhooks.status).toBe(400);
    expect(webhooks.body.error_code).toBe('APIG.2012');
    expect(webhooks.body.error_msg).toContain('defines no API operation');
    expect(webhooks.body.error_msg).toContain('Webhooks (newPet)');
    expect((await admin.get('/v1/projects/Webhook-Example')).status).toBe(404);
  });

  it('answers every error in the vendor shape: APIG.2001, 2012, 2013, 3001, 3002, 3004, 3010, 1002, 1005', async () => {
    expect(await call(admin, 'POST', '/openapi/export', { define: 'spec' })).toMatchObject({ status: 400, body: { error_code: 'APIG.2001', error_msg: 'The parameter group_id is missing.' } });
    expect(await importCall(admin, { group_id: group })).toMatchObject({ status: 400, body: { error_code: 'APIG.2001' } });
    expect(await importCall(admin, { is_create_group: 'false' }, { text: shopDocument('x', { '/a': { get: op('a') } }), name: 'a.json' })).toMatchObject({
      status: 400,
      body: { error_code: 'APIG.2001', error_msg: expect.stringContaining('group_id') },
    });
    expect(await call(admin, 'POST', '/openapi/export', { group_id: 'no-such-group' })).toMatchObject({ status: 404, body: { error_code: 'APIG.3001' } });
    expect(await importCall(admin, { group_id: 'no-such-group' }, { text: shopDocument('x', { '/a': { get: op('a') } }), name: 'a.json' })).toMatchObject({
      status: 404,
      body: { error_code: 'APIG.3001' },
    });
    expect(await call(admin, 'POST', '/openapi/export', { group_id: group, env_id: 'nowhere' })).toMatchObject({ status: 404, body: { error_code: 'APIG.3004' } });
    expect(await call(admin, 'POST', '/openapi/export', { group_id: group, define: 'everything' })).toMatchObject({ status: 400, body: { error_code: 'APIG.2012' } });
    expect(await call(admin, 'POST', '/openapi/export', { group_id: group, apis: ['orders', 'ghost'] })).toMatchObject({ status: 404, body: { error_code: 'APIG.3002', error_msg: expect.stringContaining('"ghost"') } });
    const huge = await importCall(admin, { group_id: group }, { text: Buffer.alloc(64 * 1024 * 1024 + 1, 0x20), name: 'huge.json' });
    expect(huge).toMatchObject({ status: 413, body: { error_code: 'APIG.2013' } });

    expect(await call(admin.withToken('afy_not_a_real_token'), 'POST', '/openapi/export', { group_id: group })).toMatchObject({ status: 401, body: { error_code: 'APIG.1002' } });
    expect(await call(admin.withToken(undefined), 'GET', '/async-tasks/00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 401, body: { error_code: 'APIG.1002' } });

    const other = await createProject(admin);
    const outsider = admin.withToken(await createToken(admin, [{ project: other, permission: 'API_MANAGEMENT:EXPORT_IMPORT' }]));
    expect(await call(outsider, 'POST', '/openapi/export', { group_id: group })).toMatchObject({ status: 403, body: { error_code: 'APIG.1005' } });
    expect(await call(outsider, 'POST', '/openapi/export', { group_id: 'no-such-group' })).toMatchObject({ status: 403, body: { error_code: 'APIG.1005' } });
    expect(await call(outsider, 'POST', '/openapi/export', { group_id: groupId })).toMatchObject({ status: 403, body: { error_code: 'APIG.1005' } });
    // Creating a group means creating a project: an instance admin's right only.
    const creating = await importCall(outsider, {}, { text: shopDocument(uniqueName('denied'), { '/a': { get: op('a') } }), name: 'a.json' });
    expect(creating).toMatchObject({ status: 403, body: { error_code: 'APIG.1005' } });
    // With the right on its own group, the same token imports and exports there.
    const own = await importCall(outsider, { group_id: other }, { text: shopDocument('Own', { '/a': { get: op('a') } }), name: 'a.json' });
    expect(own.status).toBe(200);
    expect((await call(outsider, 'POST', '/openapi/export', { group_id: other })).status).toBe(200);
    // A task of another group is not found for this token.
    const foreignTask = await call(admin, 'POST', '/openapi/async-export', { group_id: group });
    expect(await call(outsider, 'GET', `/async-tasks/${foreignTask.body.task_id}`)).toMatchObject({ status: 404, body: { error_code: 'APIG.3010' } });
  });

  const CORPUS_DOCUMENTS = [
    { file: 'twilio_api_v2010.json', operations: 197 },
    { file: 'discord-openapi.json', operations: 242 },
  ];
  (corpusPresent ? it : it.skip)('imports the real-world documents with reports whose counts match SOURCES.md, and exports them back valid', async () => {
    for (const doc of CORPUS_DOCUMENTS) {
      const project = await createProject(admin);
      const answer = await importCall(admin, { group_id: project }, { text: readFileSync(join(CORPUS, doc.file), 'utf8'), name: doc.file });
      expect(answer.status).toBe(200);
      expect(answer.body.failure).toEqual([]);
      expect(answer.body.success).toHaveLength(doc.operations);
      for (const oasVersion of ['2.0', '3.0']) {
        const exported = await call(admin, 'POST', '/openapi/export', { group_id: project, define: 'all', oas_version: oasVersion });
        expect(exported.status).toBe(200);
        await validates(JSON.parse(exported.text));
      }
    }
  });

  (corpusPresent ? it : it.skip)('imports the DigitalOcean multi-file description (2,907 files) as a ZIP: 659 operations', async () => {
    const root = join(CORPUS, 'digitalocean');
    const entries: { name: string; data: Buffer }[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else entries.push({ name: relative(root, path), data: readFileSync(path) });
      }
    };
    walk(join(root, 'specification'));
    const project = await createProject(admin);
    const answer = await importCall(admin, { group_id: project }, { text: buildRawZip(entries), name: 'digitalocean.zip' });
    expect(answer.status).toBe(200);
    expect(answer.body.failure).toEqual([]);
    expect(answer.body.success).toHaveLength(659);
    expect(answer.body.warnings[0]).toMatch(/^The description does not fully validate as OpenAPI 3.0/);
    const exported = await call(admin, 'POST', '/openapi/export', { group_id: project, define: 'all', oas_version: '3.0', type: 'yaml' });
    expect(exported.status).toBe(200);
    await validates(parseYaml(exported.text));
  });

  (corpusPresent ? it : it.skip)('the Docker Engine document names no backend host: all 108 operations fail with that reason; given a host, all import', async () => {
    const text = readFileSync(join(CORPUS, 'moby-engine-api-swagger.yaml'), 'utf8');
    const project = await createProject(admin);
    const answer = await importCall(admin, { group_id: project }, { text, name: 'moby.yaml' });
    expect(answer.status).toBe(200);
    expect(answer.body.success).toEqual([]);
    expect(answer.body.failure).toHaveLength(108);
    expect(answer.body.failure[0]).toMatchObject({ error_code: 'APIG.2012', error_msg: expect.stringContaining('has no backend') });
    expect(await proxiesOf(admin, project)).toEqual([]);

    const withHost = await importCall(admin, { group_id: project }, { text: `host: docker.internal:2375\n${text}`, name: 'moby.yaml' });
    expect(withHost.status).toBe(200);
    expect(withHost.body.failure).toEqual([]);
    expect(withHost.body.success).toHaveLength(108);
    const [proxy] = await proxiesOf(admin, project);
    expect(proxy.routing.addressList).toEqual([{ address: expect.stringMatching(/^https?:\/\/docker\.internal:2375\/v1\.\d+$/) }]);
  });
});
