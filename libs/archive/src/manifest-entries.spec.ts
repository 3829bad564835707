import { describe, expect, it } from '@jest/globals';
import { ArchiveRejected } from './errors.js';
import { json, manifestFor, baseContent } from './hostile-archives.js';
import { checkListedCopies, parseManifest, parseManifestEntries, type Manifest, type ManifestEntry } from './manifest.js';

function valid(): Manifest {
  return manifestFor(baseContent());
}

function parsedBothWays(bytes: Buffer): { whole: unknown; streamed: unknown } {
  const outcome = (run: () => unknown) => {
    try {
      return run();
    } catch (error) {
      return error instanceof ArchiveRejected ? { reason: error.reason, message: error.message } : error;
    }
  };
  return {
    whole: outcome(() => parseManifest(bytes)),
    streamed: outcome(() => {
      const entries: ManifestEntry[] = [];
      const { head, copies } = parseManifestEntries(bytes, (entry) => entries.push(entry));
      // As the reader does: copies are checked against the list it built.
      checkListedCopies(copies, (path) => entries.find((entry) => entry.path === path));
      return { ...head, entries };
    }),
  };
}

/** The entry-by-entry parse (used by the reader) must agree with parseManifest on every manifest. */
describe('parseManifestEntries', () => {
  it('hands over every entry in order and returns the rest of the manifest', () => {
    const { whole, streamed } = parsedBothWays(json(valid()));
    expect(streamed).toEqual(whole);
    expect((streamed as Manifest).entries.length).toBeGreaterThan(1);
  });

  it('refuses what parseManifest refuses, with the same reason and pointer', () => {
    const manifest = valid();
    const cases: unknown[] = [
      { ...manifest, entries: [manifest.entries[0], 'not an entry'] },
      { ...manifest, entries: [manifest.entries[0], { ...manifest.entries[0] }] },
      { ...manifest, entries: [{ ...manifest.entries[0], sha256: 'ABC' }] },
      { ...manifest, entries: [{ ...manifest.entries[0], path: '../escape.json' }] },
      { ...manifest, entries: [{ ...manifest.entries[1], aliasOf: 'nowhere.json' }, manifest.entries[0]] },
      { ...manifest, entries: 'none' },
      { ...manifest, format: 'other' },
    ];
    for (const broken of cases) {
      const { whole, streamed } = parsedBothWays(json(broken));
      expect((whole as { reason?: string }).reason).toBe('schema-violation');
      expect(streamed).toEqual(whole);
    }
    const truncated = parsedBothWays(Buffer.from(JSON.stringify(manifest).slice(0, -3)));
    expect((truncated.streamed as { reason: string }).reason).toBe('malformed-json');
  });

  it('lists only what /entries holds: entry-like objects elsewhere, keys in any order, escaped key names', () => {
    const manifest = valid();
    const smuggled = { ...manifest, options: { extra: [manifest.entries[0], { entries: ['x'] }] } };
    const { whole, streamed } = parsedBothWays(json(smuggled));
    expect(streamed).toEqual(whole);
    expect((streamed as Manifest).entries).toHaveLength(manifest.entries.length);
    // "entr\u0069es" is the key "entries" to JSON.
    const escaped = Buffer.from(JSON.stringify(manifest).replace('"entries"', '"entr\\u0069es"'));
    const both = parsedBothWays(escaped);
    expect(both.streamed).toEqual(both.whole);
    expect((both.streamed as Manifest).entries).toHaveLength(manifest.entries.length);
    // A second entry list is refused rather than one of them chosen.
    const twice = Buffer.from(JSON.stringify(manifest).replace(/}$/, ',"entries":[]}'));
    expect(parsedBothWays(twice).streamed).toMatchObject({ reason: 'malformed-json' });
  });
});
