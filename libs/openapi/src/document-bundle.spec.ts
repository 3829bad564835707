import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { InvalidOpenApiDocumentError, readOpenApiBundle } from './document-reader.js';
import { openApiToProxies } from './openapi-to-proxies.js';

const CORPUS = resolve(process.env.OPENAPI_CORPUS_DIR ?? join(process.cwd(), '../shared/fixtures/openapi'));
const digitalOcean = join(CORPUS, 'digitalocean');
const corpusPresent = existsSync(join(digitalOcean, 'specification'));
if (!corpusPresent) console.warn(`OpenAPI corpus not found at ${CORPUS}: the multi-file DigitalOcean test is skipped.`);

function bundle(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries));
}

const ROOT = `openapi: 3.0.3
info: {title: Split, version: '1'}
servers: [{url: 'https://split.example.com/api'}]
paths:
  /things:
    $ref: 'paths/things.yml'
`;

describe('multi-file descriptions', () => {
  it('resolves relative external $refs inside the set of files', async () => {
    const read = await readOpenApiBundle(
      bundle({
        'spec/root.yaml': ROOT,
        'spec/paths/things.yml': `get:\n  operationId: listThings\n  responses:\n    '200':\n      $ref: '../shared/responses.yml#/ok'\n`,
        'spec/shared/responses.yml': `ok:\n  description: fine\n`,
      }),
      'spec/root.yaml',
    );
    expect(read.warnings).toEqual([]);
    const converted = openApiToProxies(read.document, read.version);
    expect(converted.operations.map((o) => [o.method, o.fullPath, o.endpoint?.operation])).toEqual([['GET', '/api/things', 'listThings']]);
  });

  it('refuses a $ref that leaves the set: a missing file, the file system, the network', async () => {
    for (const ref of ['paths/missing.yml', '../../../../etc/passwd', 'file:///etc/passwd', 'http://127.0.0.1:9/x.yml']) {
      const files = bundle({ 'spec/root.yaml': ROOT.replace('paths/things.yml', ref) });
      await expect(readOpenApiBundle(files, 'spec/root.yaml')).rejects.toThrow(InvalidOpenApiDocumentError);
    }
    await expect(readOpenApiBundle(bundle({}), 'root.yaml')).rejects.toThrow('The root document root.yaml is not among the files.');
  });

  (corpusPresent ? it : it.skip)('reads the DigitalOcean description (2,907 files): 445 paths, 659 operations, with its validation findings as warnings', async () => {
    const files = new Map<string, string>();
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.set(relative(digitalOcean, path), readFileSync(path, 'utf8'));
      }
    };
    walk(digitalOcean);
    expect(files.size).toBe(2907);
    const read = await readOpenApiBundle(files, 'specification/DigitalOcean-public.v2.yaml');
    expect(read.version).toBe('3.0');
    expect(read.warnings).toHaveLength(1);
    expect(read.warnings[0]).toMatch(/^The description does not fully validate as OpenAPI 3.0: Swagger schema validation failed\. #\//);
    const converted = openApiToProxies(read.document, read.version);
    expect(converted.pathCount).toBe(445);
    expect(converted.operations).toHaveLength(659);
    expect(converted.operations.filter((o) => o.error)).toEqual([]);
    expect(converted.proxies[0]).toMatchObject({ basePath: '/', routing: { addressList: [{ address: 'https://api.digitalocean.com' }] } });
  });
});
