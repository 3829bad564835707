import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InvalidOpenApiDocumentError, readOpenApiDocument } from './document-reader.js';
import { serializeDocument } from './document-writer.js';
import { openApiToProxies } from './openapi-to-proxies.js';
import { proxiesToOpenApi } from './proxies-to-openapi.js';
import type { ProxyDocument } from './proxy-shape.js';

/** The real-world corpus lives beside the checkout (CI has it there); absent, its tests say so and skip. */
const CORPUS = resolve(process.env.OPENAPI_CORPUS_DIR ?? join(process.cwd(), '../shared/fixtures/openapi'));
const corpusPresent = existsSync(join(CORPUS, 'SOURCES.md'));
if (!corpusPresent) console.warn(`OpenAPI corpus not found at ${CORPUS}: the real-world document tests are skipped.`);

/*
 * Small hand-made documents for the behaviour that must always be tested (they are written
 * here, not copied from the corpus): a Swagger 2.0 pet shop with host + basePath, a 3.0 one
 * with servers, allOf and an array parameter, a callback, and a 3.1 webhook-only document.
 */
const petShop20 = JSON.stringify({
  swagger: '2.0',
  info: { title: 'Pet Shop', version: '2.1.0' },
  host: 'pets.example.com',
  basePath: '/v2',
  schemes: ['https'],
  paths: {
    '/pets': {
      get: { operationId: 'listPets', parameters: [{ name: 'limit', in: 'query', type: 'integer' }], responses: { 200: { description: 'pets', schema: { type: 'array', items: { $ref: '#/definitions/Pet' } } } } },
      post: { operationId: 'addPet', parameters: [{ name: 'pet', in: 'body', schema: { $ref: '#/definitions/Pet' } }], responses: { 201: { description: 'added' } } },
    },
    '/pets/{petId}': {
      get: { operationId: 'getPet', parameters: [{ name: 'petId', in: 'path', required: true, type: 'string' }], responses: { 200: { description: 'a pet', schema: { $ref: '#/definitions/Pet' } } } },
    },
  },
  definitions: { Pet: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } }, Error: { type: 'object', properties: { message: { type: 'string' } } } },
});

const petShop30 = `openapi: 3.0.3
info: {title: Pet Shop, version: '3.0.1'}
servers: [{url: 'https://pets.example.com/v3'}]
paths:
  /pets:
    get:
      operationId: findPets
      parameters:
        - {name: tags, in: query, style: form, schema: {type: array, items: {type: string}}}
      responses: {'200': {description: pets, content: {application/json: {schema: {type: array, items: {$ref: '#/components/schemas/Pet'}}}}}}
    post:
      operationId: addPet
      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/NewPet'}}}}
      responses: {'200': {description: added}}
  /pets/{id}:
    parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
    get: {operationId: findPetById, responses: {'200': {description: a pet}}}
    delete: {operationId: deletePet, responses: {'204': {description: deleted}}}
components:
  schemas:
    NewPet: {type: object, required: [name], properties: {name: {type: string}}}
    Pet:
      allOf:
        - $ref: '#/components/schemas/NewPet'
        - {type: object, required: [id], properties: {id: {type: integer}}}
`;

const callbacks30 = `openapi: 3.0.3
info: {title: Streams, version: '1'}
paths:
  /streams:
    post:
      parameters: [{name: callbackUrl, in: query, required: true, schema: {type: string, format: uri}}]
      responses: {'201': {description: subscribed}}
      callbacks:
        onData:
          '{$request.query.callbackUrl}/data':
            post:
              requestBody: {content: {application/json: {schema: {type: object}}}}
              responses: {'202': {description: taken}}
`;

const webhooks31 = `openapi: 3.1.0
info: {title: Hooks Only, version: '1'}
webhooks:
  newPet:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {'200': {description: received}}
`;

async function convert(text: string) {
  const read = await readOpenApiDocument(text);
  return { read, converted: openApiToProxies(read.document, read.version) };
}

const ops = (converted: ReturnType<typeof openApiToProxies>) => converted.operations.map((o) => `${o.method} ${o.path}`);

describe('OpenAPI → proxies', () => {
  it('reads a Swagger 2.0 document: one proxy, backend from schemes + host + basePath, three endpoints, and says what it left out', async () => {
    const { read, converted } = await convert(petShop20);
    expect(read.version).toBe('2.0');
    expect(read.warnings).toEqual([]);
    expect(converted.fromExtensions).toBe(false);
    expect(converted.proxies).toEqual([
      expect.objectContaining({ name: 'Pet Shop', basePath: '/v2', version: '2.1.0', routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: 'https://pets.example.com/v2' }] } }),
    ]);
    expect(converted.operations.map((o) => [o.method, o.path, o.fullPath, o.endpoint])).toEqual([
      ['GET', '/pets', '/v2/pets', { method: 'GET', path: '/pets', operation: 'listPets' }],
      ['POST', '/pets', '/v2/pets', { method: 'POST', path: '/pets', operation: 'addPet' }],
      ['GET', '/pets/{petId}', '/v2/pets/{petId}', { method: 'GET', path: '/pets/{petId}', operation: 'getPet' }],
    ]);
    expect(converted.warnings).toEqual([
      '2 schema definition(s) are documentation a proxy does not hold; they were not imported.',
      '3 operation(s) describe parameters, request bodies, responses or security; an API proxy endpoint keeps only method, path and operation name, so those descriptions were not imported.',
    ]);
  });

  it('reads a 3.0 document: backend and base path from servers; allOf and array parameters resolve (4 operations)', async () => {
    const { read, converted } = await convert(petShop30);
    expect(read.version).toBe('3.0');
    expect(read.warnings).toEqual([]);
    expect(converted.proxies[0]).toMatchObject({ name: 'Pet Shop', basePath: '/v3', routing: { addressList: [{ address: 'https://pets.example.com/v3' }] } });
    expect(ops(converted)).toEqual(['GET /pets', 'POST /pets', 'GET /pets/{id}', 'DELETE /pets/{id}']);
    expect(converted.operations.map((o) => o.endpoint?.operation)).toEqual(['findPets', 'addPet', 'findPetById', 'deletePet']);
  });

  it('names the callback it cannot represent, and has no backend without servers', async () => {
    const { converted } = await convert(callbacks30);
    expect(ops(converted)).toEqual(['POST /streams']);
    expect(converted.proxies[0].routing).toBeUndefined();
    expect(converted.warnings).toContain('POST /streams: callbacks (onData) cannot be represented by an API proxy and were not imported.');
  });

  it('answers a 3.1 webhook-only document clearly: no operations, and the webhook named in a warning', async () => {
    const { read, converted } = await convert(webhooks31);
    expect(read.version).toBe('3.1');
    expect(converted.operations).toEqual([]);
    expect(converted.warnings).toContain('Webhooks (newPet) describe calls the API makes, not operations it serves; they were not imported.');
  });

  it('fails the later of two operations on one route (first wins) and TRACE, keeping the rest', async () => {
    const text = JSON.stringify({
      openapi: '3.0.3',
      info: { title: 'dups', version: '1' },
      servers: [{ url: 'https://backend.example.com/api' }],
      paths: {
        '/a/{id}': { get: { operationId: 'first', parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } } },
        '/a/{key}': {
          get: { operationId: 'second', parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } },
          trace: { responses: { 200: { description: 'ok' } } },
          post: { operationId: 'third', parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }], responses: { 200: { description: 'ok' } } },
        },
      },
    });
    const { converted } = await convert(text);
    expect(converted.operations.map((o) => [o.method, o.path, o.endpoint?.operation ?? o.error?.code])).toEqual([
      ['GET', '/a/{id}', 'first'],
      ['GET', '/a/{key}', 'duplicate'],
      ['POST', '/a/{key}', 'third'],
      ['TRACE', '/a/{key}', 'unsupported'],
    ]);
    expect(converted.operations[1].error?.message).toBe('GET /a/{key} duplicates GET /a/{id} earlier in this document; the first one is imported.');
  });

  it('refuses what is not an OpenAPI document, and a document whose $ref points nowhere', async () => {
    await expect(readOpenApiDocument('just: [text')).rejects.toThrow(InvalidOpenApiDocumentError);
    await expect(readOpenApiDocument('{"hello": "world"}')).rejects.toThrow('neither "swagger: 2.0" nor "openapi: 3.x"');
    await expect(readOpenApiDocument('{"openapi": "4.0.0"}')).rejects.toThrow('OpenAPI version 4.0.0 is not supported');
    const broken = { openapi: '3.0.3', info: { title: 't', version: '1' }, paths: { '/a': { get: { responses: { 200: { $ref: '#/components/responses/Missing' } } } } } };
    await expect(readOpenApiDocument(JSON.stringify(broken))).rejects.toThrow(InvalidOpenApiDocumentError);
  });

  it('reads a document that does not fully validate with the finding as a warning', async () => {
    const lax = { swagger: '2.0', info: { title: 'lax', version: '1' }, host: 'lax.example.com', paths: { '/a': { get: { responses: { 200: { description: 'ok' } }, unknownMember: true } } } };
    const read = await readOpenApiDocument(JSON.stringify(lax));
    expect(read.warnings).toHaveLength(1);
    expect(read.warnings[0]).toMatch(/^The document does not fully validate as OpenAPI 2.0: /);
    expect(openApiToProxies(read.document, read.version).operations).toHaveLength(1);
  });

  it('never reads external $refs from the file system', async () => {
    const external = { openapi: '3.0.3', info: { title: 'ext', version: '1' }, paths: { '/a': { $ref: '/etc/passwd#/x' } } };
    await expect(readOpenApiDocument(JSON.stringify(external))).rejects.toThrow('The document refers outside itself ($ref "/etc/passwd#/x")');
  });
});

/** Counts from SOURCES.md of the corpus: paths and operations per document. */
const CORPUS_DOCUMENTS: { file: string; version: string; paths: number; operations: number; proxyName: string }[] = [
  { file: 'oai-v2.0-petstore.json', version: '2.0', paths: 2, operations: 3, proxyName: 'Swagger Petstore' },
  { file: 'oai-v3.0-petstore.yaml', version: '3.0', paths: 2, operations: 3, proxyName: 'Swagger Petstore' },
  { file: 'oai-v3.0-petstore-expanded.yaml', version: '3.0', paths: 2, operations: 4, proxyName: 'Swagger Petstore' },
  { file: 'oai-v3.0-callback-example.yaml', version: '3.0', paths: 1, operations: 1, proxyName: 'Callback Example' },
  { file: 'moby-engine-api-swagger.yaml', version: '2.0', paths: 98, operations: 108, proxyName: 'Docker Engine API' },
  { file: 'twilio_api_v2010.json', version: '3.0', paths: 121, operations: 197, proxyName: 'Twilio - Api' },
  { file: 'discord-openapi.json', version: '3.1', paths: 150, operations: 242, proxyName: 'Discord HTTP API (Preview)' },
];

(corpusPresent ? describe : describe.skip)('real-world corpus (../shared/fixtures/openapi)', () => {
  it('oai-v3.1-webhook-example.yaml: no paths, one webhook, named in a warning; refused as nothing to import', async () => {
    const { read, converted } = await convert(readFileSync(join(CORPUS, 'oai-v3.1-webhook-example.yaml'), 'utf8'));
    expect(read.version).toBe('3.1');
    expect(converted.pathCount).toBe(0);
    expect(converted.operations).toEqual([]);
    expect(converted.warnings).toContain('Webhooks (newPet) describe calls the API makes, not operations it serves; they were not imported.');
  });

  for (const doc of CORPUS_DOCUMENTS) {
    it(`${doc.file}: ${doc.operations} operations on ${doc.paths} paths, exported back to a valid document`, async () => {
      const { read, converted } = await convert(readFileSync(join(CORPUS, doc.file), 'utf8'));
      expect(read.version).toBe(doc.version);
      expect(converted.pathCount).toBe(doc.paths);
      expect(converted.operations).toHaveLength(doc.operations);
      const imported = converted.operations.filter((o) => o.endpoint);
      const failed = converted.operations.filter((o) => o.error);
      expect(imported.length + failed.length).toBe(doc.operations);
      expect(converted.proxies[0].name).toBe(doc.proxyName);
      const proxy: ProxyDocument = { ...converted.proxies[0], endpoints: imported.map((o) => o.endpoint as ProxyDocument['endpoints'][number]) };
      for (const oasVersion of ['2.0', '3.0'] as const) {
        const { document } = proxiesToOpenApi([proxy], { oasVersion, define: 'all', title: 'corpus', version: '1' });
        const again = await convert(serializeDocument(document, 'yaml'));
        expect(again.read.warnings).toEqual([]);
        expect(again.converted.operations.filter((o) => o.endpoint)).toHaveLength(imported.length);
      }
    });
  }
});
