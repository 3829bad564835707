import { pino, type Logger } from 'pino';

export const LOGGER = Symbol('LOGGER');

/**
 * Paths pino blanks out wherever they appear in a logged object: credentials must never
 * reach a log line, even when a whole request or job payload is logged by mistake.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers.cookie',
  '*.authorization',
  '*.token',
  '*.password',
  '*.passphrase',
  '*.secret',
  '*.secrets',
  '*.credentials',
  'payload.passphrase',
  'token',
  'passphrase',
  'secret',
];

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'apiferry', ...base },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
