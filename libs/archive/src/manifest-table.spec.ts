import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import type { ManifestEntry } from './manifest.js';
import { ManifestEntryTable, ManifestEntryTableBuilder } from './manifest-table.js';

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

  it('gives back the same entries whether its columns were reserved, reserved too small, or grown', () => {
    const entries: ManifestEntry[] = Array.from({ length: 3000 }, (_, i) => ({
      path: `apiProxies/prøxy-${i}.json`,
      type: 'apiProxy',
      uuid: `u-${i}`,
      name: `prøxy ${i}`,
      sha256: sha(String(i)),
      size: i,
    }));
    const listBytes = Buffer.byteLength(JSON.stringify(entries));
    for (const reserve of [[entries.length, listBytes], [10, 100], undefined] as const) {
      const builder = new ManifestEntryTableBuilder();
      if (reserve) builder.reserve(reserve[0], reserve[1]);
      entries.forEach((entry) => builder.add(entry));
      const table = builder.finish();
      expect(table.length).toBe(entries.length);
      for (const index of [0, 1, 1500, 2999]) {
        expect(table.entry(index)).toStrictEqual(entries[index]);
        expect(table.pathBytes(index).toString('utf8')).toBe(entries[index]!.path);
      }
    }
  });

  it('holds an empty list', () => {
    expect(ManifestEntryTable.from([]).length).toBe(0);
  });
});
