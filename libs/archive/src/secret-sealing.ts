import { createCipheriv, createDecipheriv, randomBytes, scrypt, type ScryptOptions } from 'node:crypto';
import { ArchiveRejected } from './errors.js';
import { MANIFEST_PATH, type AssetType, type ScryptKdf, type SealedSecrets } from './manifest.js';
import { isSealedValue, type SealedValue } from './sealed-value.js';

export const SCRYPT_DEFAULTS = Object.freeze({ N: 2 ** 15, r: 8, p: 1 });
const KEY_BYTES = 32;
const SALT_BYTES = 16;
const IV_BYTES = 12;
const CHECK_AAD = 'apiferry-archive:passphrase-check';
const CHECK_PLAINTEXT = 'apiferry-archive';

/** The AAD binding a sealed value to its place, so it cannot be moved to another asset or field. */
export function secretAad(type: AssetType, uuid: string, field: string): string {
  return `${type}:${uuid}:${field}`;
}

function deriveKey(passphrase: string, salt: Buffer, { N, r, p }: { N: number; r: number; p: number }): Promise<Buffer> {
  // 128·N·r bytes is what scrypt needs; Node's 32 MiB default is exactly N=2^15, r=8 and refuses it.
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * Seals and opens secret fields with AES-256-GCM under a key derived by scrypt from the
 * export passphrase and a per-archive salt. Each value gets a fresh 12-byte IV and is
 * bound by AAD to a caller-given context (see secretAad).
 */
export class SecretSealer {
  private constructor(
    private readonly key: Buffer,
    readonly kdf: ScryptKdf,
  ) {}

  /** A sealer for a new archive: fresh random salt, scrypt N=2^15 r=8 p=1 unless told otherwise. */
  static async create(passphrase: string, params: { N: number; r: number; p: number } = SCRYPT_DEFAULTS): Promise<SecretSealer> {
    if (passphrase.length === 0) throw new RangeError('an export passphrase must not be empty');
    const salt = randomBytes(SALT_BYTES);
    const key = await deriveKey(passphrase, salt, params);
    return new SecretSealer(key, { name: 'scrypt', salt: salt.toString('base64'), ...params });
  }

  /**
   * The sealer of an existing archive, from its manifest `secrets` section (already
   * validated, so the scrypt parameters are bounded). A wrong passphrase fails the check
   * value and throws ArchiveRejected('wrong-passphrase') instead of producing garbage.
   */
  static async fromManifest(secrets: SealedSecrets, passphrase: string): Promise<SecretSealer> {
    if (passphrase.length === 0) {
      throw new ArchiveRejected('wrong-passphrase', 'the archive has sealed secrets and no passphrase was given');
    }
    const key = await deriveKey(passphrase, Buffer.from(secrets.kdf.salt, 'base64'), secrets.kdf);
    const sealer = new SecretSealer(key, secrets.kdf);
    let check: unknown;
    try {
      check = sealer.open(secrets.check, CHECK_AAD, MANIFEST_PATH);
    } catch (error) {
      if (error instanceof ArchiveRejected && error.reason === 'tampered') {
        throw new ArchiveRejected('wrong-passphrase', 'the passphrase does not open this archive');
      }
      throw error;
    }
    if (check !== CHECK_PLAINTEXT) throw new ArchiveRejected('tampered', 'the passphrase check value is wrong', MANIFEST_PATH);
    return sealer;
  }

  /** The manifest's `secrets` section for an archive sealed by this sealer. */
  manifestSecrets(): SealedSecrets {
    return { mode: 'sealed', cipher: 'aes-256-gcm', kdf: { ...this.kdf }, check: this.seal(CHECK_PLAINTEXT, CHECK_AAD) };
  }

  seal(value: unknown, aad: string): SealedValue {
    const plaintext = JSON.stringify(value);
    if (plaintext === undefined) throw new TypeError('a sealed value must be JSON-serialisable');
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return {
      $sealed: 'aes-256-gcm',
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    };
  }

  /**
   * The value sealed under `aad`. A value that was altered, sealed for another field or
   * under another key throws ArchiveRejected('tampered'); `entry` names where it was read.
   */
  open(sealed: unknown, aad: string, entry?: string): unknown {
    if (!isSealedValue(sealed)) throw new ArchiveRejected('schema-violation', `the sealed value for ${aad} is malformed`, entry);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(sealed.iv, 'base64'), { authTagLength: 16 });
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    let plaintext: string;
    try {
      plaintext = Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new ArchiveRejected('tampered', `the sealed value for ${aad} does not authenticate`, entry, { cause: error });
    }
    return JSON.parse(plaintext) as unknown;
  }
}
