import { createHash, randomBytes } from 'node:crypto';

/**
 * Personal access tokens: `afy_` + 32 base62 random characters + 6 base62 characters of
 * a CRC32 checksum, so secret scanners and the service itself can reject a mistyped
 * token without a database lookup (GitHub's scheme).
 */
export const TOKEN_PREFIX = 'afy_';
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_LENGTH = 32;
const CHECKSUM_LENGTH = 6;

function base62(bytes: Buffer, length: number): string {
  let out = '';
  for (const byte of bytes) {
    // 62*4 = 248: rejecting bytes above keeps the characters uniformly distributed.
    if (byte < 248) out += ALPHABET[byte % 62];
    if (out.length === length) return out;
  }
  return out + base62(randomBytes(length), length - out.length);
}

function crc32(text: string): number {
  let crc = 0xffffffff;
  for (const byte of Buffer.from(text)) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function checksumOf(random: string): string {
  let value = crc32(random);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = ALPHABET[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export function generateToken(): string {
  const random = base62(randomBytes(48), RANDOM_LENGTH);
  return `${TOKEN_PREFIX}${random}${checksumOf(random)}`;
}

/** True when the token has our shape and its checksum matches. */
export function isWellFormedToken(token: string): boolean {
  if (!token.startsWith(TOKEN_PREFIX)) return false;
  const body = token.slice(TOKEN_PREFIX.length);
  if (!/^[0-9A-Za-z]+$/.test(body) || body.length !== RANDOM_LENGTH + CHECKSUM_LENGTH) return false;
  return checksumOf(body.slice(0, RANDOM_LENGTH)) === body.slice(RANDOM_LENGTH);
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What a listing shows of a token: enough to recognise it, useless to an attacker. */
export function displayPrefix(token: string): string {
  return token.slice(0, TOKEN_PREFIX.length + 6);
}
