import { describe, expect, it } from '@jest/globals';
import { ArchiveRejected } from './errors.js';
import { validateManifest } from './manifest.js';
import { baseContent, manifestFor } from './hostile-archives.js';
import { SCRYPT_DEFAULTS, SecretSealer, secretAad } from './secret-sealing.js';

// Fast parameters where the KDF cost is not what a test is about.
const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('SecretSealer', () => {
  it('derives with scrypt N=2^15 r=8 p=1 and a fresh 16-byte salt by default', async () => {
    const first = await SecretSealer.create('correct horse');
    const second = await SecretSealer.create('correct horse');
    expect(first.kdf).toMatchObject({ name: 'scrypt', ...SCRYPT_DEFAULTS });
    expect(Buffer.from(first.kdf.salt, 'base64')).toHaveLength(16);
    expect(first.kdf.salt).not.toBe(second.kdf.salt);
  });

  it('seals with a fresh 12-byte IV each time and opens what it sealed', async () => {
    const sealer = await SecretSealer.create('pw', FAST);
    const aad = secretAad('alias', 'uuid-1', 'password');
    const value = { user: 'svc', password: 's3cr3t', port: 8443 };
    const first = sealer.seal(value, aad);
    const second = sealer.seal(value, aad);
    expect(first.$sealed).toBe('aes-256-gcm');
    expect(Buffer.from(first.iv, 'base64')).toHaveLength(12);
    expect(Buffer.from(first.tag, 'base64')).toHaveLength(16);
    expect(first.iv).not.toBe(second.iv);
    expect(JSON.stringify(first)).not.toContain('s3cr3t');
    expect(sealer.open(first, aad)).toEqual(value);
  });

  it('refuses a value moved to another field or asset', async () => {
    const sealer = await SecretSealer.create('pw', FAST);
    const sealed = sealer.seal('s3cr3t', secretAad('alias', 'uuid-1', 'password'));
    expect(() => sealer.open(sealed, secretAad('alias', 'uuid-1', 'token'))).toThrow(ArchiveRejected);
    expect(() => sealer.open(sealed, secretAad('alias', 'uuid-2', 'password'), 'aliases/x.json')).toThrow(
      expect.objectContaining({ reason: 'tampered', entry: 'aliases/x.json' }),
    );
  });

  it('refuses an altered ciphertext and a malformed sealed value', async () => {
    const sealer = await SecretSealer.create('pw', FAST);
    const aad = secretAad('application', 'u', 'clientSecret');
    const sealed = sealer.seal('abc', aad);
    const data = Buffer.from(sealed.data, 'base64');
    data[0] ^= 1;
    expect(() => sealer.open({ ...sealed, data: data.toString('base64') }, aad)).toThrow(expect.objectContaining({ reason: 'tampered' }));
    expect(() => sealer.open({ ...sealed, iv: 'short' }, aad)).toThrow(expect.objectContaining({ reason: 'schema-violation' }));
  });

  it('reopens from the manifest with the right passphrase', async () => {
    const sealer = await SecretSealer.create('pässword', FAST);
    const secrets = sealer.manifestSecrets();
    const manifest = validateManifest({ ...manifestFor(baseContent()), secrets });
    const aad = secretAad('alias', 'u', 'value');
    const sealed = sealer.seal(42, aad);
    // The same passphrase in another Unicode form still opens it.
    const reopened = await SecretSealer.fromManifest(manifest.secrets as typeof secrets, 'pa\u0308ssword');
    expect(reopened.open(sealed, aad)).toBe(42);
  });

  it('tells a wrong passphrase apart from garbage', async () => {
    const secrets = (await SecretSealer.create('right', FAST)).manifestSecrets();
    await expect(SecretSealer.fromManifest(secrets, 'wrong')).rejects.toMatchObject({ reason: 'wrong-passphrase' });
    await expect(SecretSealer.fromManifest(secrets, '')).rejects.toMatchObject({ reason: 'wrong-passphrase' });
  });

  it('refuses an empty export passphrase', async () => {
    await expect(SecretSealer.create('')).rejects.toThrow(RangeError);
  });
});
