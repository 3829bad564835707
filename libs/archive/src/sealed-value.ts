/** A secret field's value as written into an entry: AES-256-GCM over its JSON, all base64. */
export interface SealedValue {
  $sealed: 'aes-256-gcm';
  /** 12 random bytes. */
  iv: string;
  /** 16-byte GCM authentication tag. */
  tag: string;
  data: string;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function base64Bytes(value: unknown): number | undefined {
  if (typeof value !== 'string' || value.length % 4 !== 0 || !BASE64.test(value)) return undefined;
  return Buffer.from(value, 'base64').length;
}

/** Whether `value` has the shape of a sealed value (it may still fail to open). */
export function isSealedValue(value: unknown): value is SealedValue {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const candidate = value as Record<string, unknown>;
  return (
    candidate.$sealed === 'aes-256-gcm' &&
    base64Bytes(candidate.iv) === 12 &&
    base64Bytes(candidate.tag) === 16 &&
    base64Bytes(candidate.data) !== undefined &&
    Object.keys(candidate).length === 4
  );
}

/** Bytes of a base64 string, or undefined when it is not canonical base64. */
export function decodeBase64(value: unknown): Buffer | undefined {
  return base64Bytes(value) === undefined ? undefined : Buffer.from(value as string, 'base64');
}
