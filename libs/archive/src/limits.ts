import { Transform, type TransformCallback } from 'node:stream';
import { ArchiveRejected } from './errors.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** What a reader accepts. Configuration: the defaults serve a 10^5-proxy migration and refuse a bomb. */
export interface ArchiveLimits {
  /** Entries in the central directory (manifest included). */
  maxEntries: number;
  /** Inflated bytes of one JSON entry (an asset document). */
  maxJsonEntryBytes: number;
  /**
   * Inflated bytes of manifest.json, which grows with the entry count (about 200 bytes an
   * entry, more with long names): 250,000 entries do not fit in maxJsonEntryBytes.
   */
  maxManifestBytes: number;
  /** Inflated bytes of one resource entry. */
  maxResourceEntryBytes: number;
  /** Inflated bytes of the whole archive. */
  maxTotalBytes: number;
  /** Inflated : compressed, checked for entries past ratioCheckMinBytes. */
  maxCompressionRatio: number;
  ratioCheckMinBytes: number;
}

export const DEFAULT_ARCHIVE_LIMITS: Readonly<ArchiveLimits> = Object.freeze({
  maxEntries: 250_000,
  maxJsonEntryBytes: 64 * MiB,
  maxManifestBytes: 256 * MiB,
  maxResourceEntryBytes: 1 * GiB,
  maxTotalBytes: 32 * GiB,
  maxCompressionRatio: 200,
  ratioCheckMinBytes: 1 * MiB,
});

export function resolveLimits(overrides: Partial<ArchiveLimits> = {}): ArchiveLimits {
  const limits = { ...DEFAULT_ARCHIVE_LIMITS };
  for (const [key, value] of Object.entries(overrides) as [keyof ArchiveLimits, number | undefined][]) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`archive limit ${key} must be a positive integer, got ${value}`);
    }
    limits[key] = value;
  }
  return limits;
}

/** Inflated bytes counted across the entries of one pass over an archive. */
export class InflatedTotal {
  private used = 0;

  constructor(readonly limit: number) {}

  get bytes(): number {
    return this.used;
  }

  /** Adds bytes; throws once the total crosses the limit. */
  add(bytes: number, entry: string): void {
    this.used += bytes;
    if (this.used > this.limit) {
      throw new ArchiveRejected(
        'total-too-large',
        `the archive inflates to more than ${this.limit} bytes`,
        entry,
      );
    }
  }
}

export interface InflateCounterOptions {
  /** Entry path, named in errors. */
  entry: string;
  /** Most bytes this entry may inflate to. */
  maxBytes: number;
  /** Bytes of compressed data actually fed to the inflater (the reader takes exactly this many). */
  compressedSize: number;
  maxCompressionRatio: number;
  ratioCheckMinBytes: number;
  /** Shared across the entries of one pass, when a total applies. */
  total?: InflatedTotal;
}

/**
 * Counts the bytes an inflater actually produces (header sizes are never trusted) and
 * throws ArchiveRejected as soon as the count crosses a limit.
 */
export class InflateLimiter {
  private inflated = 0;

  constructor(private readonly options: InflateCounterOptions) {}

  get bytes(): number {
    return this.inflated;
  }

  count(bytes: number): void {
    const { entry, maxBytes, compressedSize, maxCompressionRatio, ratioCheckMinBytes, total } = this.options;
    this.inflated += bytes;
    if (this.inflated > maxBytes) {
      throw new ArchiveRejected('entry-too-large', `inflates to more than ${maxBytes} bytes`, entry);
    }
    if (this.inflated > ratioCheckMinBytes && this.inflated > compressedSize * maxCompressionRatio) {
      throw new ArchiveRejected(
        'compression-ratio',
        `inflates more than ${maxCompressionRatio}:1 (${compressedSize} compressed bytes gave over ${this.inflated})`,
        entry,
      );
    }
    total?.add(bytes, entry);
  }

  /** The most bytes the entry may inflate to under the entry limits (the total aside). */
  get bound(): number {
    const { maxBytes, compressedSize, maxCompressionRatio, ratioCheckMinBytes } = this.options;
    return Math.min(maxBytes, Math.max(ratioCheckMinBytes, compressedSize * maxCompressionRatio));
  }
}

/**
 * Sits right after the inflater and counts the bytes it actually produces, failing the
 * stream with ArchiveRejected on the chunk that crosses a limit, so a bomb is stopped
 * after at most one chunk past the limit.
 */
export class LimitedInflateCounter extends Transform {
  private readonly limiter: InflateLimiter;

  constructor(options: InflateCounterOptions) {
    super();
    this.limiter = new InflateLimiter(options);
  }

  get bytes(): number {
    return this.limiter.bytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.limiter.count(chunk.length);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, chunk);
  }
}
