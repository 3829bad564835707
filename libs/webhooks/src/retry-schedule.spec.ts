import { describe, expect, it } from '@jest/globals';
import { MIN_RETRY_DELAY_MS, parseRetryAfter, retryDelayMs, RETRY_SCHEDULE_MS } from './retry-schedule.js';

describe('webhook retry schedule', () => {
  const middle = () => 0.5;

  it('waits 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h, then gives up', () => {
    const waits = Array.from({ length: 10 }, (_, i) => retryDelayMs(i + 1, { scale: 1, random: middle }));
    expect(waits).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000, undefined]);
  });

  it('jitters each step by at most 10 %', () => {
    expect(retryDelayMs(2, { scale: 1, random: () => 0 })).toBe(270_000);
    expect(retryDelayMs(2, { scale: 1, random: () => 1 })).toBe(330_000);
  });

  it('scales the schedule for tests, never below the floor', () => {
    expect(retryDelayMs(1, { scale: 0.001, random: middle })).toBe(MIN_RETRY_DELAY_MS);
    expect(retryDelayMs(2, { scale: 0.001, random: middle })).toBe(300);
    expect(retryDelayMs(9, { scale: 0.001, random: middle })).toBe(RETRY_SCHEDULE_MS[8]! / 1000);
  });

  it('honours a longer Retry-After, capped at 24 h, and ignores a shorter one', () => {
    expect(retryDelayMs(1, { scale: 1, retryAfterMs: 60_000, random: middle })).toBe(60_000);
    expect(retryDelayMs(2, { scale: 1, retryAfterMs: 60_000, random: middle })).toBe(300_000);
    expect(retryDelayMs(1, { scale: 1, retryAfterMs: 10 * 86_400_000, random: middle })).toBe(86_400_000);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
