import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { buildRawZip } from '#archive';
import { parse as parseYaml } from 'yaml';
import { startAcceptingGateway, type AcceptingGateway } from './support/backends.js';
import { createProject, createProxy, uniqueName } from './support/factory.js';
import { ApiClient } from './support/http.js';
import { downloadArtifact, finishedJob, importForm } from './support/jobs.js';
import { startProcess, type RunningProcess } from './support/service.js';
import { testEnv } from './support/test-env.js';

/** The real-world corpus lives beside the checkout (CI has it there); absent, its tests say so and skip. */
const CORPUS = resolve(process.env.OPENAPI_CORPUS_DIR ?? join(process.cwd(), '../shared/fixtures/openapi'));
const corpusPresent = existsSync(join(CORPUS, 'SOURCES.md'));
if (!corpusPresent) console.warn(`OpenAPI corpus not found at ${CORPUS}: the real-world /v1 import test is skipped.`);

const APIG = '/v2/a1b2c3/apigw/instances/inst-1';

type DocumentType = 'json' | 'yaml';

const parseDocument = (text: string, type: DocumentType): Record<string, any> => (type === 'json' ? JSON.parse(text) : parseYaml(text));

async function validates(document: Record<string, unknown>): Promise<void> {
  await SwaggerParser.validate(structuredClone(document) as never, { resolve: { external: false } });
}

/** A document's text with its title (the project name) and version normalised away. */
const normalised = (document: Record<string, any>) => ({ ...document, info: { ...document.info, title: 'group', version: '1' } });

const op = (operationId: string) => ({ operationId, responses: { 200: { description: 'ok' } } });

function shopDocument(title: string, paths: Record<string, unknown>): string {
  return JSON.stringify({ openapi: '3.0.3', info: { title, version: '1' }, servers: [{ url: 'https://shop.internal/shop' }], paths });
}

describe('native API (/v1): OpenAPI exports and imports', () => {
  let api: RunningProcess;
  let worker: RunningProcess;
  let gateway: AcceptingGateway;
  let gatewayUrl: string;
  let admin: ApiClient;
  let source: string;
  const prefix = `${testEnv().queuePrefix}-${uniqueName('oasv1')}`;

  beforeAll(async () => {
    // A gateway admin API that accepts every deployment, so a proxy can be deployed to an environment.
    gateway = await startAcceptingGateway();
    gatewayUrl = gateway.url;
    [api, worker] = await Promise.all([startProcess('api', { QUEUE_PREFIX: prefix }), startProcess('worker', { QUEUE_PREFIX: prefix })]);
    admin = new ApiClient(api.url, testEnv().adminToken);
    source = await createProject(admin);
    await createProxy(admin, source, {
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
    await createProxy(admin, source, { name: 'billing', basePath: '/billing' });
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), worker?.stop(), gateway?.stop()]);
  });

  async function proxiesOf(project: string): Promise<any[]> {
    const answer = await admin.get(`/v1/projects/${project}/apiProxies`);
    expect(answer.status).toBe(200);
    return answer.body.items;
  }

  /** Exports through /v1 with format openapi; returns the finished job and the downloaded document. */
  async function exportDocument(project: string, body: Record<string, unknown>) {
    const created = await admin.post(`/v1/projects/${project}/exports`, { format: 'openapi', ...body });
    expect(created.status).toBe(202);
    const job = await finishedJob(admin, created);
    expect(job).toMatchObject({ kind: 'openapi.export', state: 'succeeded' });
    const redirect = await admin.get(`/v1/jobs/${job.id}/artifact`);
    expect(redirect.status).toBe(302);
    const download = await fetch(redirect.headers.get('location') as string);
    expect(download.status).toBe(200);
    return { job, text: await download.text(), headers: download.headers };
  }

  /** Imports a document (or ZIP) through the /v1 form upload and waits for the job. */
  async function importDocument(project: string, bytes: string | Buffer, fileName: string, options: Record<string, unknown> = {}) {
    const created = await importForm(admin, project, Buffer.from(bytes), options, fileName);
    expect(created.status).toBe(202);
    return finishedJob(admin, created);
  }

  async function jobsOf(project: string): Promise<any[]> {
    return (await admin.get(`/v1/jobs?project=${project}`)).body.items;
  }

  for (const oasVersion of ['2.0', '3.0'] as const) {
    for (const type of ['json', 'yaml'] as const) {
      it(`exports format openapi ${oasVersion} ${type}: the artifact is a valid document with its content type and file name`, async () => {
        const { job, text, headers } = await exportDocument(source, { oasVersion, type, define: 'proxy', version: '4.2.0' });
        expect(job.result).toMatchObject({ oasVersion, format: type, define: 'proxy', counts: { apis: 2, operations: 5 }, warnings: [] });
        expect(headers.get('content-type')).toBe(type === 'json' ? 'application/json' : 'application/yaml');
        expect(headers.get('content-disposition')).toContain(`${source}-openapi.${type}`);
        const document = parseDocument(text, type);
        await validates(document);
        expect(oasVersion === '2.0' ? document.swagger : document.openapi).toBe(oasVersion === '2.0' ? '2.0' : '3.0.3');
        expect(document.info).toEqual({ title: source, version: '4.2.0' });
        expect(Object.keys(document.paths).sort()).toEqual(['/billing/items', '/orders/items', '/orders/items/{id}', '/orders/raw']);
        expect(document['x-apigateway-api-proxies'].map((p: any) => p.name).sort()).toEqual(['billing', 'orders']);
        // define=proxy: backends, not policies.
        expect(text).not.toContain('x-apigateway-policies');
        const link = await admin.get(`/v1/jobs/${job.id}/artifact-link`);
        expect(link.status).toBe(200);
        expect(link.body.url).toEqual(expect.stringContaining(`${source}-openapi.${type}`));
      });
    }
  }

  it('exports a selection, or only what is deployed in an environment, under the file name asked for', async () => {
    const selected = await exportDocument(source, { proxies: ['billing'], type: 'yaml', fileName: 'billing.yml' });
    expect(selected.headers.get('content-disposition')).toContain('billing.yml');
    expect(Object.keys(parseYaml(selected.text).paths)).toEqual(['/billing/items']);

    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'live', basePath: '/live' });
    await createProxy(admin, project, { name: 'draft', basePath: '/draft' });
    expect((await admin.post(`/v1/projects/${project}/environments`, { name: 'prod', driver: 'http', settings: { adminUrl: `${gatewayUrl}/prod` } })).status).toBe(201);
    const deployed = await finishedJob(admin, await admin.post(`/v1/projects/${project}/apiProxies/live/deployments`, { environments: ['prod'] }));
    expect(deployed.state).toBe('succeeded');
    const inProd = await exportDocument(project, { environment: 'prod' });
    expect(inProd.job.result.environment).toBe('prod');
    expect(inProd.headers.get('content-disposition')).toContain(`${project}-prod-openapi.json`);
    expect(Object.keys(JSON.parse(inProd.text).paths)).toEqual(['/live/items']);
  });

  it('refuses bad export options up front with problem+json pointers, creating no job', async () => {
    const project = await createProject(admin);
    await createProxy(admin, project, { name: 'only' });
    const refusals: [Record<string, unknown>, number, string][] = [
      [{ format: 'openapi', oasVersion: '3.1' }, 400, '/oasVersion'],
      [{ format: 'openapi', type: 'xml' }, 400, '/type'],
      [{ format: 'openapi', define: 'everything' }, 400, '/define'],
      [{ format: 'swagger' }, 400, '/format'],
      [{ format: 'openapi', passphrase: 'correct horse battery' }, 400, '/passphrase'],
      [{ format: 'openapi', include: { applications: true } }, 400, '/include'],
      [{ oasVersion: '2.0' }, 400, '/oasVersion'],
      [{ format: 'openapi', environment: 'nowhere' }, 400, '/environment'],
      [{ format: 'openapi', type: 'yaml', fileName: 'doc.json' }, 400, '/fileName'],
      [{ format: 'archive', fileName: 'doc.json' }, 400, '/fileName'],
    ];
    for (const [body, status, pointer] of refusals) {
      const answer = await admin.post(`/v1/projects/${project}/exports`, body);
      expect({ body, status: answer.status, type: answer.contentType }).toEqual({ body, status, type: expect.stringContaining('application/problem+json') });
      expect({ body, pointers: answer.body.errors.map((e: any) => e.pointer) }).toEqual({ body, pointers: expect.arrayContaining([pointer]) });
    }
    const ghost = await admin.post(`/v1/projects/${project}/exports`, { format: 'openapi', proxies: ['only', 'ghost'] });
    expect(ghost.status).toBe(404);
    expect(ghost.body.detail).toContain('"ghost"');
    expect(await jobsOf(project)).toEqual([]);
  });

  for (const oasVersion of ['2.0', '3.0'] as const) {
    for (const type of ['json', 'yaml'] as const) {
      it(`round trip on /v1 ${oasVersion} ${type}: export, import into an empty project, export again gives the same document`, async () => {
        const first = await exportDocument(source, { oasVersion, type, define: 'all', version: '1' });
        const target = await createProject(admin);
        const imported = await importDocument(target, first.text, `group.${type}`);
        expect(imported).toMatchObject({ kind: 'openapi.import', state: 'succeeded' });
        expect(imported.result.counts).toEqual({ success: 5, failure: 0, ignore: 0 });
        expect(imported.result.proxies.map((p: any) => `${p.name} ${p.action}`).sort()).toEqual(['billing create', 'orders create']);
        const second = await exportDocument(target, { oasVersion, type, define: 'all', version: '2' });
        expect(normalised(parseDocument(second.text, type))).toEqual(normalised(parseDocument(first.text, type)));
        const original = (await admin.get(`/v1/projects/${source}/apiProxies/orders`)).body;
        const copy = (await admin.get(`/v1/projects/${target}/apiProxies/orders`)).body;
        for (const field of ['uuid', 'basePath', 'endpoints', 'routing', 'cache', 'cors', 'maintenanceMode', 'scopes']) expect({ field, value: copy[field] }).toEqual({ field, value: original[field] });
      });
    }
  }

  it('imports a document from a presigned upload (uploadId), detected by content', async () => {
    const { text } = await exportDocument(source, { type: 'yaml', oasVersion: '2.0', version: '1' });
    const target = await createProject(admin);
    const upload = await admin.post(`/v1/projects/${target}/uploads`, { fileName: 'group.yaml', size: Buffer.byteLength(text) });
    expect(upload.status).toBe(201);
    const put = await fetch(upload.body.parts[0].url, { method: 'PUT', body: text });
    expect(put.status).toBe(200);
    const complete = await admin.post(`/v1/projects/${target}/uploads/${upload.body.id}/complete`, { parts: [{ partNumber: 1, etag: put.headers.get('etag') }] });
    expect(complete.status).toBe(200);
    const job = await finishedJob(admin, await admin.post(`/v1/projects/${target}/imports`, { uploadId: upload.body.id }));
    expect(job).toMatchObject({ kind: 'openapi.import', state: 'succeeded', result: { counts: { success: 5, failure: 0, ignore: 0 } } });
    expect((await proxiesOf(target)).map((p) => p.name)).toEqual(['billing', 'orders']);
  });

  it('across faces: a document exported by the APIG face imports through /v1, and a /v1 export imports through the APIG face', async () => {
    const headers = { authorization: `Bearer ${testEnv().adminToken}`, 'content-type': 'application/json' };
    const apigExport = await fetch(`${api.url}${APIG}/openapi/export`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ group_id: source, define: 'all', type: 'yaml', oas_version: '3.0', version: '1' }),
    });
    expect(apigExport.status).toBe(200);
    const apigText = await apigExport.text();
    const viaV1 = await createProject(admin);
    const imported = await importDocument(viaV1, apigText, 'from-apig.yaml');
    expect(imported.result.counts).toEqual({ success: 5, failure: 0, ignore: 0 });
    const v1Again = await exportDocument(viaV1, { define: 'all', type: 'yaml', oasVersion: '3.0', version: '1' });
    expect(normalised(parseYaml(v1Again.text))).toEqual(normalised(parseYaml(apigText)));

    const v1Export = await exportDocument(source, { define: 'all', type: 'json', oasVersion: '2.0', version: '1' });
    const viaApig = await createProject(admin);
    const form = new FormData();
    form.append('group_id', viaApig);
    form.append('file', new Blob([v1Export.text]), 'from-v1.json');
    const apigImport = await fetch(`${api.url}${APIG}/openapi/import`, { method: 'POST', headers: { authorization: headers.authorization }, body: form });
    expect(apigImport.status).toBe(200);
    const report = (await apigImport.json()) as { success: unknown[]; failure: unknown[] };
    expect(report.failure).toEqual([]);
    expect(report.success).toHaveLength(5);
    const apigAgain = await fetch(`${api.url}${APIG}/openapi/export`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ group_id: viaApig, define: 'all', type: 'json', oas_version: '2.0', version: '1' }),
    });
    expect(normalised(JSON.parse(await apigAgain.text()))).toEqual(normalised(JSON.parse(v1Export.text)));
  });

  it('conflicts: "fail" (default) refuses an existing proxy and changes nothing; "keep" merges; "overwrite" overrides; dryRun writes nothing', async () => {
    const project = await createProject(admin);
    await createProxy(admin, project, {
      name: 'Shop',
      basePath: '/shop',
      endpoints: [{ method: 'GET', path: '/items', operation: 'oldList' }],
      routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: 'http://old.internal' }] },
    });
    const [before] = await proxiesOf(project);
    const text = shopDocument('Shop', { '/items': { get: op('newList'), post: op('create') } });

    const refused = await importDocument(project, text, 'shop.json');
    expect(refused.state).toBe('failed');
    expect(refused.error).toMatchObject({ status: 409, detail: expect.stringContaining('API proxy "Shop"') });
    expect(refused.error.detail).toContain('operation GET /items');
    expect(await proxiesOf(project)).toEqual([before]);

    const dry = await importDocument(project, text, 'shop.json', { conflicts: 'overwrite', dryRun: true });
    expect(dry).toMatchObject({ state: 'succeeded', result: { dryRun: true, counts: { success: 2, failure: 0, ignore: 0 } } });
    expect(await proxiesOf(project)).toEqual([before]);

    const kept = await importDocument(project, text, 'shop.json', { conflicts: { apiProxy: 'keep' } });
    expect(kept.result.counts).toEqual({ success: 1, failure: 0, ignore: 1 });
    let [shop] = await proxiesOf(project);
    expect(shop.endpoints).toEqual([
      { method: 'GET', path: '/items', operation: 'oldList' },
      { method: 'POST', path: '/items', operation: 'create' },
    ]);
    expect(shop.routing.addressList).toEqual([{ address: 'http://old.internal' }]);

    const overwritten = await importDocument(project, text, 'shop.json', { conflicts: 'overwrite' });
    expect(overwritten.result.counts).toEqual({ success: 2, failure: 0, ignore: 0 });
    [shop] = await proxiesOf(project);
    expect(shop.endpoints.map((e: any) => e.operation)).toEqual(['newList', 'create']);
    expect(shop.routing.addressList).toEqual([{ address: 'https://shop.internal/shop' }]);
  });

  it('refuses archive-only import options for an OpenAPI document before any job exists', async () => {
    const project = await createProject(admin);
    const text = shopDocument('Opts', { '/a': { get: op('a') } });
    const refusals: [Record<string, unknown>, string][] = [
      [{ conflicts: 'rename' }, '/conflicts'],
      [{ conflicts: { apiProxy: 'rename' } }, '/conflicts/apiProxy'],
      [{ deploy: true, deployTargetEnvironmentNameList: ['prod'] }, '/deploy'],
      [{ routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: 'http://x.internal' }] } }, '/routing'],
      [{ passphrase: 'whatever-passphrase' }, '/passphrase'],
      [{ maintenanceMode: true }, '/maintenanceMode'],
    ];
    for (const [options, pointer] of refusals) {
      const answer = await importForm(admin, project, Buffer.from(text), options, 'opts.json');
      expect({ options, status: answer.status }).toEqual({ options, status: 400 });
      expect({ options, pointers: answer.body.errors.map((e: any) => e.pointer) }).toEqual({ options, pointers: expect.arrayContaining([pointer]) });
    }
    expect(await jobsOf(project)).toEqual([]);
    expect(await proxiesOf(project)).toEqual([]);
  });

  it('tells the kinds of upload apart by content: an archive, a ZIP of a multi-file description, and what is neither', async () => {
    // An apiferry archive is still an archive import.
    const archiveExport = await finishedJob(admin, await admin.post(`/v1/projects/${source}/exports`, { proxies: ['billing'] }));
    const archive = await downloadArtifact(admin, archiveExport.id);
    const fromArchive = await createProject(admin);
    const archiveJob = await importDocument(fromArchive, archive, 'billing.zip');
    expect(archiveJob).toMatchObject({ kind: 'archive.import', state: 'succeeded' });
    expect((await proxiesOf(fromArchive)).map((p) => p.name)).toEqual(['billing']);

    // Asset documents where an archive keeps them, but no manifest: a damaged archive, and said so.
    const damaged = buildRawZip([{ name: 'apiProxies/pets.json', data: Buffer.from('{"name": "pets", "basePath": "/pets", "endpoints": []}') }]);
    const damagedJob = await importDocument(await createProject(admin), damaged, 'damaged.zip');
    expect(damagedJob).toMatchObject({ kind: 'archive.import', state: 'failed', error: { status: 422, reason: 'missing-manifest' } });

    // A ZIP without manifest.json is the folder of a description: $refs resolve inside it.
    const root = "openapi: 3.0.3\ninfo: {title: Split, version: '1'}\nservers: [{url: 'https://split.example.com/api'}]\npaths:\n  /things:\n    $ref: 'paths/things.yml'\n";
    const things = "get:\n  operationId: listThings\n  responses:\n    '200':\n      $ref: '../shared/responses.yml#/ok'\n";
    const zip = buildRawZip([
      { name: 'spec/root.yaml', data: Buffer.from(root) },
      { name: 'spec/paths/things.yml', data: Buffer.from(things) },
      { name: 'spec/shared/responses.yml', data: Buffer.from('ok:\n  description: fine\n') },
    ]);
    const described = await createProject(admin);
    const descriptionJob = await importDocument(described, zip, 'split.zip');
    expect(descriptionJob).toMatchObject({ kind: 'openapi.import', state: 'succeeded', result: { counts: { success: 1, failure: 0, ignore: 0 } } });
    expect(await proxiesOf(described)).toEqual([expect.objectContaining({ name: 'Split', basePath: '/api', endpoints: [{ method: 'GET', path: '/things', operation: 'listThings' }] })]);

    // A $ref leaving the ZIP's folder fails the job and changes nothing.
    const slip = buildRawZip([{ name: 'spec/root.yaml', data: Buffer.from(root) }, { name: '../paths/things.yml', data: Buffer.from(things) }]);
    const slipped = await createProject(admin);
    const slipJob = await importDocument(slipped, slip, 'slip.zip');
    expect(slipJob).toMatchObject({ kind: 'openapi.import', state: 'failed', error: { status: 400, detail: expect.stringContaining('"../paths/things.yml" is refused') } });
    expect(await proxiesOf(slipped)).toEqual([]);

    // Neither: refused before any job, or failed by the worker with the reason; nothing changes.
    const neither = await createProject(admin);
    const pictures = await importForm(admin, neither, buildRawZip([{ name: 'logo.png', data: Buffer.from('png') }]), {}, 'pictures.zip');
    expect(pictures.status).toBe(400);
    expect(pictures.body.detail).toContain('neither manifest.json');
    const text = await importForm(admin, neither, Buffer.from('hello'), {}, 'notes.txt');
    expect(text.status).toBe(400);
    expect(text.body.errors).toEqual([{ pointer: '/file', detail: 'must be a .zip, .json, .yaml or .yml file' }]);
    const empty = await importForm(admin, neither, Buffer.alloc(0), {}, 'empty.json');
    expect(empty.status).toBe(400);
    expect(await jobsOf(neither)).toEqual([]);
    const notOpenApi = await importDocument(neither, '{"hello": "world"}', 'hello.json');
    expect(notOpenApi).toMatchObject({ kind: 'openapi.import', state: 'failed', error: { status: 400, detail: expect.stringContaining('neither "swagger: 2.0" nor "openapi: 3.x"') } });
    expect(await proxiesOf(neither)).toEqual([]);
  });

  (corpusPresent ? it : it.skip)('imports real-world documents through /v1 with the counts of SOURCES.md (corpus beside the checkout)', async () => {
    for (const doc of [
      { file: 'oai-v3.0-petstore-expanded.yaml', operations: 4 },
      { file: 'oai-v2.0-petstore.json', operations: 3 },
      { file: 'twilio_api_v2010.json', operations: 197 },
    ]) {
      const project = await createProject(admin);
      const job = await importDocument(project, readFileSync(join(CORPUS, doc.file)), doc.file);
      expect({ file: doc.file, state: job.state, counts: job.result?.counts }).toEqual({ file: doc.file, state: 'succeeded', counts: { success: doc.operations, failure: 0, ignore: 0 } });
      const { text } = await exportDocument(project, { oasVersion: '3.0', define: 'all' });
      await validates(JSON.parse(text));
    }
  });

  (corpusPresent ? it : it.skip)('imports the DigitalOcean multi-file description (2,907 files) as a ZIP through a presigned upload: 659 operations', async () => {
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
    const zip = buildRawZip(entries);
    const project = await createProject(admin);
    const upload = await admin.post(`/v1/projects/${project}/uploads`, { fileName: 'digitalocean.zip', size: zip.length });
    expect(upload.status).toBe(201);
    const etags: { partNumber: number; etag: string }[] = [];
    for (const part of upload.body.parts) {
      const start = (part.partNumber - 1) * upload.body.partSize;
      const put = await fetch(part.url, { method: 'PUT', body: new Uint8Array(zip.subarray(start, start + upload.body.partSize)) });
      expect(put.status).toBe(200);
      etags.push({ partNumber: part.partNumber, etag: put.headers.get('etag') as string });
    }
    expect((await admin.post(`/v1/projects/${project}/uploads/${upload.body.id}/complete`, { parts: etags })).status).toBe(200);
    const job = await finishedJob(admin, await admin.post(`/v1/projects/${project}/imports`, { uploadId: upload.body.id, conflicts: 'keep' }), 120_000);
    expect(job).toMatchObject({ kind: 'openapi.import', state: 'succeeded', result: { counts: { success: 659, failure: 0, ignore: 0 }, sourceVersion: '3.0' } });
    expect(job.result.warnings[0]).toMatch(/^The description does not fully validate as OpenAPI 3.0/);
    const { text } = await exportDocument(project, { oasVersion: '3.0', type: 'yaml' });
    await validates(parseYaml(text));
  });
});
