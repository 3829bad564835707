import { describe, expect, it } from '@jest/globals';
import { ArchiveRejected } from './errors.js';
import { json, manifestFor, baseContent } from './hostile-archives.js';
import { checkFormatVersion, parseManifest, upgradeManifest, validateManifest, type Manifest } from './manifest.js';

function valid(): Manifest {
  return manifestFor(baseContent());
}

function rejection(action: () => unknown): ArchiveRejected {
  try {
    action();
  } catch (error) {
    if (error instanceof ArchiveRejected) return error;
    throw error;
  }
  throw new Error('not rejected');
}

describe('parseManifest', () => {
  it('accepts a well-formed manifest and returns it unchanged', () => {
    const manifest = valid();
    expect(parseManifest(json(manifest))).toEqual(manifest);
  });

  it('accepts older minor and equal-major versions', () => {
    for (const formatVersion of ['1.0', '1.7', '0.9']) {
      expect(parseManifest(json({ ...valid(), formatVersion })).formatVersion).toBe(formatVersion);
    }
  });

  it('refuses a newer major version with a clear error, before checking the rest', () => {
    const error = rejection(() => parseManifest(json({ format: 'apiferry-archive', formatVersion: '2.0', whatever: true })));
    expect(error.reason).toBe('unsupported-format-version');
    expect(error.entry).toBe('manifest.json');
    expect(error.message).toMatch(/format version 2\.0 is newer than this service reads \(1\.x\)/);
  });

  it('refuses bytes that are not JSON as malformed-json', () => {
    expect(rejection(() => parseManifest(Buffer.from('{"format":'))).reason).toBe('malformed-json');
  });

  it('refuses another format', () => {
    const error = rejection(() => parseManifest(json({ ...valid(), format: 'zip' })));
    expect(error).toMatchObject({ reason: 'schema-violation', entry: 'manifest.json' });
    expect(error.message).toContain('/format');
  });

  it.each<[string, (manifest: Record<string, any>) => void, string]>([
    ['a bad version string', (m) => (m.formatVersion = 'one'), '/formatVersion'],
    ['a missing createdAt', (m) => delete m.createdAt, '/createdAt'],
    ['an unparseable createdAt', (m) => (m.createdAt = 'yesterday'), '/createdAt'],
    ['a source without project', (m) => delete m.source.project, '/source/project'],
    ['options that are not an object', (m) => (m.options = []), '/options'],
    ['an unknown entry type', (m) => (m.entries[0].type = 'widget'), '/entries/0/type'],
    ['an upper-case hash', (m) => (m.entries[0].sha256 = m.entries[0].sha256.toUpperCase()), '/entries/0/sha256'],
    ['a negative size', (m) => (m.entries[1].size = -1), '/entries/1/size'],
    ['a zip-slip path', (m) => (m.entries[0].path = '../x.json'), '/entries/0/path'],
    ['the manifest listing itself', (m) => (m.entries[0].path = 'manifest.json'), '/entries/0/path'],
    ['a path listed twice (case folded)', (m) => (m.entries[1].path = m.entries[0].path.toUpperCase()), '/entries/1/path'],
    ['an alias of nothing', (m) => (m.entries[0].aliasOf = 'apiProxies/none.json'), '/entries/0/aliasOf'],
    ['a dependency on a resource', (m) => m.dependencies.push({ from: { type: 'apiProxy', uuid: 'a' }, to: { type: 'resource', uuid: 'b' }, required: true }), '/dependencies/0/to/type'],
    ['a dependency without required', (m) => m.dependencies.push({ from: { type: 'apiProxy', uuid: 'a' }, to: { type: 'policy', uuid: 'b' } }), '/dependencies/0/required'],
    ['an unknown secrets mode', (m) => (m.secrets = { mode: 'plaintext' }), '/secrets/mode'],
    ['omitted secrets of a resource', (m) => (m.secrets = { mode: 'omitted', omitted: [{ type: 'resource', name: 'x', field: 'y' }] }), '/secrets/omitted/0/type'],
    ['a short salt', (m) => (m.secrets = sealed({ salt: Buffer.alloc(4).toString('base64') })), '/secrets/kdf/salt'],
    ['an N that is not a power of two', (m) => (m.secrets = sealed({ N: 1000 })), '/secrets/kdf/N'],
    ['an N that would take minutes', (m) => (m.secrets = sealed({ N: 2 ** 24 })), '/secrets/kdf/N'],
    ['a KDF asking for too much memory', (m) => (m.secrets = sealed({ N: 2 ** 20, r: 16 })), '/secrets/kdf'],
    ['a check value that is not sealed', (m) => (m.secrets = { ...sealed({}), check: 'ok' }), '/secrets/check'],
  ])('refuses %s with the JSON pointer', (_label, mutate, pointer) => {
    const manifest = structuredClone(valid()) as unknown as Record<string, any>;
    mutate(manifest);
    const error = rejection(() => parseManifest(json(manifest)));
    expect(error.reason).toBe('schema-violation');
    expect(error.message).toContain(`${pointer} `);
  });

  it('accepts a sealed secrets section and an aliasOf copy', () => {
    const manifest = valid() as Manifest;
    manifest.secrets = sealed({});
    manifest.entries.push({ ...manifest.entries[0]!, path: 'pets.json', aliasOf: manifest.entries[0]!.path });
    expect(validateManifest(structuredClone(manifest))).toEqual(manifest);
  });

  it('tolerates fields a newer minor version may add', () => {
    const manifest = { ...valid(), formatVersion: '1.3', signatures: [] };
    expect(() => parseManifest(json(manifest))).not.toThrow();
  });
});

describe('checkFormatVersion and upgradeManifest', () => {
  it('parses major and minor', () => {
    expect(checkFormatVersion('1.12')).toEqual({ major: 1, minor: 12 });
  });

  it('upgrade is a no-op for the 1.x line for now', () => {
    const raw = { ...valid() } as unknown as Record<string, unknown>;
    expect(upgradeManifest(raw, { major: 1, minor: 0 })).toBe(raw);
  });
});

function sealed(kdf: Partial<{ salt: string; N: number; r: number; p: number }>): Manifest['secrets'] {
  const bytes = (length: number) => Buffer.alloc(length, 7).toString('base64');
  return {
    mode: 'sealed',
    cipher: 'aes-256-gcm',
    kdf: { name: 'scrypt', salt: bytes(16), N: 2 ** 15, r: 8, p: 1, ...kdf },
    check: { $sealed: 'aes-256-gcm', iv: bytes(12), tag: bytes(16), data: bytes(20) },
  };
}
