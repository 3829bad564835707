import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { buildRawZip, type RawZipEntry } from '#archive';
import { readOpenApiBundle } from './document-reader.js';
import { looksLikeZip, readDescriptionZip } from './description-zip.js';
import { openApiToProxies } from './openapi-to-proxies.js';

const CORPUS = resolve(process.env.OPENAPI_CORPUS_DIR ?? join(process.cwd(), '../shared/fixtures/openapi'));
const digitalOcean = join(CORPUS, 'digitalocean');
const corpusPresent = existsSync(join(digitalOcean, 'specification'));

const entry = (name: string, text: string, extra: Partial<RawZipEntry> = {}): RawZipEntry => ({ name, data: Buffer.from(text), ...extra });
const ROOT = "openapi: 3.0.3\ninfo: {title: Split, version: '1'}\nservers: [{url: 'https://split.example.com'}]\npaths:\n  /things:\n    $ref: 'paths/things.yml'\n";
const THINGS = "get:\n  operationId: listThings\n  responses:\n    '200': {description: ok}\n";

describe('multi-file descriptions as a ZIP', () => {
  it('finds the root, reads the description files and says what it did not read', async () => {
    const zip = buildRawZip([entry('api/root.yaml', ROOT), entry('api/paths/things.yml', THINGS), entry('api/logo.png', 'png')]);
    expect(looksLikeZip(zip)).toBe(true);
    expect(looksLikeZip(Buffer.from(ROOT))).toBe(false);
    const described = await readDescriptionZip(zip);
    expect(described.root).toBe('api/root.yaml');
    expect([...described.files.keys()]).toEqual(['api/root.yaml', 'api/paths/things.yml']);
    expect(described.warnings).toEqual(['1 ZIP entry not ending in .yaml, .yml or .json was not read.']);
    const read = await readOpenApiBundle(described.files, described.root);
    expect(openApiToProxies(read.document, read.version).operations.map((o) => o.endpoint?.operation)).toEqual(['listThings']);
  });

  it('refuses hostile or ambiguous ZIPs: zip slip, links, duplicates, too many bytes, no root, two roots', async () => {
    const refusals: [RawZipEntry[], string][] = [
      [[entry('root.yaml', ROOT), entry('../paths/things.yml', THINGS)], 'is refused'],
      [[entry('root.yaml', ROOT), entry('paths/things.yml', '/etc/passwd', { externalAttributes: (0o120777 << 16) >>> 0 })], 'symbolic link'],
      [[entry('root.yaml', ROOT), entry('root.yaml', ROOT)], 'twice'],
      [[entry('paths/things.yml', THINGS)], 'there is no root document'],
      [[entry('a.yaml', ROOT), entry('b.yaml', ROOT)], 'Several files could be the root document'],
    ];
    for (const [entries, message] of refusals) await expect(readDescriptionZip(buildRawZip(entries))).rejects.toThrow(message);
    const bomb = buildRawZip([entry('root.yaml', ROOT), entry('big.json', ' '.repeat(2_000_000))]);
    await expect(readDescriptionZip(bomb, { maxEntries: 10, maxTotalBytes: 1_000_000 })).rejects.toThrow('inflate to more than 1000000 bytes');
    await expect(readDescriptionZip(buildRawZip([entry('a.yaml', ROOT)]), { maxEntries: 0, maxTotalBytes: 100 })).rejects.toThrow('at most 0 are accepted');
  });

  (corpusPresent ? it : it.skip)('reads the DigitalOcean folder as a ZIP: 445 paths and 659 operations', async () => {
    const entries: RawZipEntry[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else entries.push({ name: relative(digitalOcean, path), data: readFileSync(path) });
      }
    };
    walk(join(digitalOcean, 'specification'));
    const described = await readDescriptionZip(buildRawZip(entries));
    expect(described.root).toBe('specification/DigitalOcean-public.v2.yaml');
    const read = await readOpenApiBundle(described.files, described.root);
    const converted = openApiToProxies(read.document, read.version);
    expect(converted.pathCount).toBe(445);
    expect(converted.operations).toHaveLength(659);
  });
});
