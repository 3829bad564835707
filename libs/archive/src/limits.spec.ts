import { describe, expect, it } from '@jest/globals';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflateRaw } from 'node:zlib';
import { deflatedZeros } from './hostile-archives.js';
import { DEFAULT_ARCHIVE_LIMITS, InflatedTotal, LimitedInflateCounter, resolveLimits } from './limits.js';

const MiB = 1024 * 1024;

function sink(): Writable & { bytes: number } {
  const counter = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      counter.bytes += chunk.length;
      callback();
    },
  }) as Writable & { bytes: number };
  counter.bytes = 0;
  return counter;
}

function counterOptions(overrides: Partial<ConstructorParameters<typeof LimitedInflateCounter>[0]> = {}) {
  return {
    entry: 'resources/p/bomb.bin',
    maxBytes: 64 * MiB,
    compressedSize: 1000,
    maxCompressionRatio: 200,
    ratioCheckMinBytes: MiB,
    ...overrides,
  };
}

describe('limits', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_ARCHIVE_LIMITS).toEqual({
      maxEntries: 250_000,
      maxJsonEntryBytes: 64 * MiB,
      maxManifestBytes: 256 * MiB,
      maxResourceEntryBytes: 1024 * MiB,
      maxTotalBytes: 32 * 1024 * MiB,
      maxCompressionRatio: 200,
      ratioCheckMinBytes: MiB,
    });
  });

  it('merges overrides and refuses nonsense', () => {
    expect(resolveLimits({ maxEntries: 10 }).maxEntries).toBe(10);
    expect(resolveLimits({ maxEntries: undefined }).maxEntries).toBe(250_000);
    expect(() => resolveLimits({ maxEntries: 0 })).toThrow(RangeError);
    expect(() => resolveLimits({ maxTotalBytes: 1.5 })).toThrow(RangeError);
  });
});

describe('LimitedInflateCounter', () => {
  it('stops a streamed deflate bomb on the ratio, one chunk past 200:1', async () => {
    const bomb = await deflatedZeros(64 * MiB);
    const output = sink();
    const counter = new LimitedInflateCounter(counterOptions({ compressedSize: bomb.compressed.length }));
    await expect(pipeline(Readable.from([bomb.compressed]), createInflateRaw(), counter, output)).rejects.toMatchObject({
      reason: 'compression-ratio',
      entry: 'resources/p/bomb.bin',
    });
    const allowed = Math.max(MiB, bomb.compressed.length * 200);
    expect(counter.bytes).toBeGreaterThan(allowed);
    expect(counter.bytes).toBeLessThanOrEqual(allowed + 64 * 1024);
    expect(output.bytes).toBeLessThanOrEqual(allowed);
  });

  it('stops an entry past its size limit whatever the ratio', async () => {
    const counter = new LimitedInflateCounter(counterOptions({ maxBytes: 100, compressedSize: 10_000 }));
    await expect(pipeline(Readable.from([Buffer.alloc(60), Buffer.alloc(60)]), counter, sink())).rejects.toMatchObject({
      reason: 'entry-too-large',
    });
    expect(counter.bytes).toBe(120);
  });

  it('does not apply the ratio below ratioCheckMinBytes', async () => {
    const counter = new LimitedInflateCounter(counterOptions({ compressedSize: 1 }));
    await pipeline(Readable.from([Buffer.alloc(MiB)]), counter, sink());
    expect(counter.bytes).toBe(MiB);
  });

  it('counts a shared total across entries', async () => {
    const total = new InflatedTotal(150);
    await pipeline(Readable.from([Buffer.alloc(100)]), new LimitedInflateCounter(counterOptions({ entry: 'a', total })), sink());
    await expect(
      pipeline(Readable.from([Buffer.alloc(100)]), new LimitedInflateCounter(counterOptions({ entry: 'b', total })), sink()),
    ).rejects.toMatchObject({ reason: 'total-too-large', entry: 'b' });
  });
});
