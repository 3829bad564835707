import { createHmac, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
/** Standard Webhooks asks for 24 to 64 random bytes; 32 matches the HMAC-SHA256 block strength. */
const SECRET_BYTES = 32;

/** A new signing secret: `whsec_` and the base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

/** The key bytes a `whsec_...` secret stands for. */
export function secretKey(secret: string): Buffer {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  if (key.length < 24 || key.length > 64) throw new Error('a webhook secret must hold 24 to 64 bytes');
  return key;
}

/**
 * The `webhook-signature` header: `v1,<base64 HMAC-SHA256>` over `id.timestamp.body` for
 * each secret, separated by spaces (during a rotation the new and the old secret both sign).
 */
export function signatureHeader(secrets: readonly string[], webhookId: string, timestampSeconds: number, body: string): string {
  return secrets
    .map((secret) => `v1,${createHmac('sha256', secretKey(secret)).update(`${webhookId}.${timestampSeconds}.${body}`).digest('base64')}`)
    .join(' ');
}
