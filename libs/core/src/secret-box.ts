import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/**
 * Seals short secrets the service must keep for a while — an export or import passphrase
 * waiting in a job record for its worker — with AES-256-GCM under the service's own key,
 * so they are never at rest in plaintext.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromKey(key: Buffer): SecretBox {
    if (key.length !== 32) throw new Error('the service secret key must be 32 bytes');
    return new SecretBox(key);
  }

  /**
   * APIFERRY_SECRET_KEY (base64 of 32 bytes) when configured; otherwise a key file created
   * on first start under the data directory, shared by the processes of one machine.
   */
  static async load(configuredBase64: string | undefined, dataDir: string): Promise<SecretBox> {
    if (configuredBase64) return SecretBox.fromKey(Buffer.from(configuredBase64, 'base64'));
    const path = join(dataDir, 'secret.key');
    try {
      return SecretBox.fromKey(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await mkdir(dirname(path), { recursive: true });
    try {
      await writeFile(path, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err; // another process won the race
    }
    return SecretBox.fromKey(Buffer.from((await readFile(path, 'utf8')).trim(), 'base64'));
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), data.toString('base64')].join(':');
  }

  open(sealed: string): string {
    const [version, iv, tag, data] = sealed.split(':');
    if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('not a sealed value');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
  }
}
