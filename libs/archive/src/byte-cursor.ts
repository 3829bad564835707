import type { Readable } from 'node:stream';

const EMPTY = Buffer.alloc(0);

/** The bytes ran out before a structure the archive promised was complete. */
export class UnexpectedEndOfData extends Error {
  constructor(readonly position: number) {
    super(`the data ends at byte ${position}`);
    this.name = 'UnexpectedEndOfData';
  }
}

/**
 * Reads a byte stream front to back in exact amounts: a fixed-size header, a run of bytes
 * to skip, or a run to hand on as chunks without collecting it. `position` is the
 * absolute offset of the next byte.
 *
 * fill() + the *Buffered methods let a caller read many small structures with one await:
 * buffer enough for a run of them, then take them synchronously.
 */
export class ByteCursor {
  private readonly chunks: AsyncIterator<Buffer>;
  /** The unread bytes are chunk[offset..]: taking bytes moves the offset rather than slicing the rest. */
  private chunk: Buffer = EMPTY;
  private offset = 0;
  private ended = false;

  constructor(
    stream: Readable,
    public position: number,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Bytes buffered ahead of `position`: what the *Buffered methods can take. */
  get available(): number {
    return this.chunk.length - this.offset;
  }

  /** Exactly `length` bytes; throws UnexpectedEndOfData when the stream ends first. */
  async read(length: number): Promise<Buffer> {
    if (this.available < length) {
      await this.fill(length);
      if (this.available < length) throw new UnexpectedEndOfData(this.position + this.available);
    }
    return this.readBuffered(length);
  }

  /**
   * Buffers at least `length` bytes ahead of `position`, or all that is left when the
   * stream ends first (then `available` says how many). The chunks are joined once.
   */
  async fill(length: number): Promise<void> {
    let total = this.available;
    if (total >= length) return;
    const chunks = total === 0 ? [] : [this.chunk.subarray(this.offset)];
    while (total < length) {
      const chunk = await this.next();
      if (!chunk) break;
      chunks.push(chunk);
      total += chunk.length;
    }
    this.chunk = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    this.offset = 0;
  }

  /** The first `length` buffered bytes without taking them; undefined when fewer are buffered. */
  peekBuffered(length: number): Buffer | undefined {
    return this.available < length ? undefined : this.chunk.subarray(this.offset, this.offset + length);
  }

  /** Takes exactly `length` buffered bytes; the caller checks `available` first. */
  readBuffered(length: number): Buffer {
    const bytes = this.chunk.subarray(this.offset, this.offset + length);
    this.skipBuffered(length);
    return bytes;
  }

  /** Passes over exactly `length` buffered bytes; the caller checks `available` first. */
  skipBuffered(length: number): void {
    if (this.available < length) throw new RangeError(`${length} bytes asked for, ${this.available} buffered`);
    this.offset += length;
    this.position += length;
  }

  /** The next `length` bytes as they arrive; throws UnexpectedEndOfData when the stream ends first. */
  async *take(length: number): AsyncGenerator<Buffer, void, undefined> {
    let remaining = length;
    while (remaining > 0) {
      if (this.available === 0) {
        const chunk = await this.next();
        if (!chunk) throw new UnexpectedEndOfData(this.position);
        this.chunk = chunk;
        this.offset = 0;
      }
      const piece = this.readBuffered(Math.min(remaining, this.available));
      remaining -= piece.length;
      yield piece;
    }
  }

  async skip(length: number): Promise<void> {
    if (length <= this.available) {
      this.skipBuffered(length);
      return;
    }
    for await (const piece of this.take(length)) void piece;
  }

  /** Stops reading and releases the stream. */
  async close(): Promise<void> {
    this.chunk = EMPTY;
    this.offset = 0;
    if (!this.ended) {
      this.ended = true;
      await this.chunks.return?.();
    }
  }

  private async next(): Promise<Buffer | undefined> {
    if (this.ended) return undefined;
    const result = await this.chunks.next();
    if (result.done) {
      this.ended = true;
      return undefined;
    }
    return result.value;
  }
}
