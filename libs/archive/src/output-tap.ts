import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const COALESCE_BYTES = 64 * 1024;
const HIGH_WATER_MARK = 1024 * 1024;

export interface TapTotals {
  bytes: number;
  /** Hex SHA-256 of every byte that passed. */
  sha256: string;
}

/**
 * The writer's output: hashes and counts the zip bytes as they flow, and joins the many
 * tiny writes of ZIP headers into chunks of about 64 KiB for whoever consumes it (an S3
 * multipart upload, a file). `whenRoom()` tells the producer when the consumer has caught up.
 */
export class OutputTap extends Transform {
  readonly totals: Promise<TapTotals>;
  private readonly hash = createHash('sha256');
  private bytes = 0;
  private flushed = false;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private waiters: (() => void)[] = [];
  private resolveTotals!: (totals: TapTotals) => void;
  private rejectTotals!: (error: Error) => void;

  constructor() {
    super({ readableHighWaterMark: HIGH_WATER_MARK, writableHighWaterMark: HIGH_WATER_MARK });
    this.totals = new Promise((resolve, reject) => {
      this.resolveTotals = resolve;
      this.rejectTotals = reject;
    });
    this.totals.catch(() => undefined);
    this.once('close', () => {
      this.rejectTotals(this.errored ?? new Error('the archive output closed before it was complete'));
      this.wakeWaiters();
    });
  }

  /** Whether every byte has passed (the totals are final). */
  get complete(): boolean {
    return this.flushed;
  }

  /** Resolves once the consumer has room for more (at once when it has). */
  whenRoom(): Promise<void> {
    if (this.hasRoom()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= COALESCE_BYTES) this.pushPending();
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.pushPending();
    this.flushed = true;
    this.resolveTotals({ bytes: this.bytes, sha256: this.hash.digest('hex') });
    callback();
  }

  // Every consumer (pipe, async iteration, 'data') takes bytes through read(); _read()
  // alone would miss the moment the buffer drops below the mark.
  override read(size?: number): any {
    const chunk: unknown = super.read(size);
    if (this.waiters.length > 0 && this.hasRoom()) this.wakeWaiters();
    return chunk;
  }

  private hasRoom(): boolean {
    return this.destroyed || this.readableLength < this.readableHighWaterMark;
  }

  private pushPending(): void {
    if (this.pendingBytes === 0) return;
    const chunk = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.hash.update(chunk);
    this.push(chunk);
  }

  private wakeWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
