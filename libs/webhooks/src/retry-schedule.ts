const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** Waits before the 2nd, 3rd, ... 10th attempt of a message (Standard Webhooks' schedule). */
export const RETRY_SCHEDULE_MS: readonly number[] = [5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR];
/** A scaled-down schedule (tests) never retries sooner than this. */
export const MIN_RETRY_DELAY_MS = 50;
/** A receiver's Retry-After is honoured up to the longest step of the schedule. */
export const MAX_RETRY_AFTER_MS = 24 * HOUR;
const JITTER = 0.1;

export interface RetryOptions {
  /** WEBHOOK_RETRY_SCALE: multiplies every step (not Retry-After). */
  scale: number;
  /** What the receiver asked for with Retry-After, if anything. */
  retryAfterMs?: number;
  random?: () => number;
}

/**
 * The wait before the next attempt after `attemptsMade` scheduled attempts have failed:
 * the schedule's step ±10 % jitter (so failed receivers are not hit by a thundering herd),
 * or the receiver's Retry-After when that is longer. Undefined once the schedule is spent.
 */
export function retryDelayMs(attemptsMade: number, options: RetryOptions): number | undefined {
  const step = RETRY_SCHEDULE_MS[attemptsMade - 1];
  if (step === undefined || attemptsMade < 1) return undefined;
  const random = options.random ?? Math.random;
  const jittered = step * options.scale * (1 - JITTER + 2 * JITTER * random());
  const scheduled = Math.max(MIN_RETRY_DELAY_MS, Math.round(jittered));
  const asked = options.retryAfterMs === undefined ? 0 : Math.min(options.retryAfterMs, MAX_RETRY_AFTER_MS);
  return Math.max(scheduled, asked);
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * SECOND;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
