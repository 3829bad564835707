import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { ManifestEntry } from './manifest.js';
import { ManifestEntryTable } from './manifest-table.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('ManifestEntryTable', () => {
  it('gives back every entry as listed: optional fields absent or present (even empty), Unicode, key order', () => {
    const entries: ManifestEntry[] = [
      { path: 'apiProxies/Pëts ☃.json', type: 'apiProxy', uuid: 'u-1', name: 'Pëts ☃', sha256: sha('a'), size: 12 },
      { path: 'resources/Pëts ☃/spec.yaml', type: 'resource', name: 'spec.yaml', sha256: sha('b'), size: 5_000_000_000 },
      { path: 'policies/empty.json', type: 'policy', uuid: 'u-2', name: '', sha256: sha('c'), size: 0 },
      { path: 'Pëts ☃.json', type: 'apiProxy', uuid: 'u-1', name: 'Pëts ☃', sha256: sha('a'), size: 12, aliasOf: 'apiProxies/Pëts ☃.json' },
    ];
    const table = ManifestEntryTable.from(entries);
    expect(table.length).toBe(4);
    entries.forEach((entry, index) => {
      const back = table.entry(index);
      expect(back).toStrictEqual(entry);
      expect(Object.keys(back)).toEqual(Object.keys(entry));
    });
    expect(() => table.entry(4)).toThrow(RangeError);
  });

  it('holds an empty list', () => {
    expect(ManifestEntryTable.from([]).length).toBe(0);
  });
});
