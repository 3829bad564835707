import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InvalidOpenApiDocumentError, readOpenApiDocument } from './document-reader.js';
import { serializeDocument } from './document-writer.js';
import { openApiToProxies } from './openapi-to-proxies.js';
import { proxiesToOpenApi } from './proxies-to-openapi.js';
import type { ProxyDocument } from './proxy-shape.js';

const FIXTURES = join(process.cwd(), 'test/fixtures/openapi');
/** The real-world corpus lives beside the checkout (CI has it there); absent, its tests say so and skip. */
const CORPUS = resolve(process.env.OPENAPI_CORPUS_DIR ?? join(process.cwd(), '../shared/fixtures/openapi'));
const corpusPresent = existsSync(join(CORPUS, 'SOURCES.md'));
if (!corpusPresent) console.warn(`OpenAPI corpus not found at ${CORPUS}: the real-world document tests are skipped.`);

const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

async function convert(text: string) {
  const read = await readOpenApiDocument(text);
  return { read, converted: openApiToProxies(read.document, read.version) };
}

const ops = (converted: ReturnType<typeof openApiToProxies>) => converted.operations.map((o) => `${o.method} ${o.path}`);

describe('OpenAPI → proxies', () => {
  it('reads the Swagger 2.0 petstore: one proxy, backend from host + basePath, three endpoints', async () => {
    const { read, converted } = await convert(fixture('oai-v2.0-petstore.json'));
    expect(read.version).toBe('2.0');
    expect(read.warnings).toEqual([]);
    expect(converted.fromExtensions).toBe(false);
    expect(converted.proxies).toEqual([
      expect.objectContaining({ name: 'Swagger Petstore', basePath: '/v1', version: '1.0.0', routing: { algorithm: 'ROUND_ROBIN', addressList: [{ address: 'http://petstore.swagger.io/v1' }] } }),
    ]);
    expect(converted.operations.map((o) => [o.method, o.path, o.fullPath, o.endpoint])).toEqual([
      ['GET', '/pets', '/v1/pets', { method: 'GET', path: '/pets', operation: 'listPets' }],
      ['POST', '/pets', '/v1/pets', { method: 'POST', path: '/pets', operation: 'createPets' }],
      ['GET', '/pets/{petId}', '/v1/pets/{petId}', { method: 'GET', path: '/pets/{petId}', operation: 'showPetById' }],
    ]);
    expect(converted.warnings).toEqual([
      '1 schema definition(s) are documentation a proxy does not hold; they were not imported.'.replace('1 schema', `${Object.keys((read.document as any).definitions).length} schema`),
      '3 operation(s) describe parameters, request bodies, responses or security; an API proxy endpoint keeps only method, path and operation name, so those descriptions were not imported.',
    ]);
  });

  it('reads the 3.0 petstore: backend and base path from servers', async () => {
    const { converted } = await convert(fixture('oai-v3.0-petstore.yaml'));
    expect(converted.proxies[0]).toMatchObject({ name: 'Swagger Petstore', basePath: '/v1', routing: { addressList: [{ address: 'http://petstore.swagger.io/v1' }] } });
    expect(ops(converted)).toEqual(['GET /pets', 'POST /pets', 'GET /pets/{petId}']);
  });

  it('reads the expanded petstore with allOf and array parameters (4 operations)', async () => {
    const { converted } = await convert(fixture('oai-v3.0-petstore-expanded.yaml'));
    expect(ops(converted)).toEqual(['GET /pets', 'POST /pets', 'GET /pets/{id}', 'DELETE /pets/{id}']);
    expect(converted.operations.every((o) => o.endpoint)).toBe(true);
  });

  it('names the callback it cannot represent, and has no backend without servers', async () => {
    const { converted } = await convert(fixture('oai-v3.0-callback-example.yaml'));
    expect(ops(converted)).toEqual(['POST /streams']);
    expect(converted.proxies[0].routing).toBeUndefined();
    expect(converted.warnings).toContain('POST /streams: callbacks (onData) cannot be represented by an API proxy and were not imported.');
  });

  it('answers the 3.1 webhook-only document clearly: no operations, and the webhook named in a warning', async () => {
    const { read, converted } = await convert(fixture('oai-v3.1-webhook-example.yaml'));
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
  { file: 'moby-engine-api-swagger.yaml', version: '2.0', paths: 98, operations: 108, proxyName: 'Docker Engine API' },
  { file: 'twilio_api_v2010.json', version: '3.0', paths: 121, operations: 197, proxyName: 'Twilio - Api' },
  { file: 'discord-openapi.json', version: '3.1', paths: 150, operations: 242, proxyName: 'Discord HTTP API (Preview)' },
];

(corpusPresent ? describe : describe.skip)('real-world corpus (../shared/fixtures/openapi)', () => {
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
