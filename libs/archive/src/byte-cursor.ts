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
 */
export class ByteCursor {
  private readonly chunks: AsyncIterator<Buffer>;
  private buffered: Buffer = EMPTY;
  private scratch: Buffer = EMPTY;
  private ended = false;

  constructor(
    stream: Readable,
    public position: number,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Exactly `length` bytes; throws UnexpectedEndOfData when the stream ends first. */
  async read(length: number): Promise<Buffer> {
    if (this.buffered.length >= length) return this.advance(length);
    // Gathered, then copied once: concatenating chunk by chunk made a new buffer per chunk.
    const parts = [this.buffered];
    let gathered = this.buffered.length;
    while (gathered < length) {
      const chunk = await this.next();
      if (!chunk) throw new UnexpectedEndOfData(this.position + gathered);
      parts.push(chunk);
      gathered += chunk.length;
    }
    this.buffered = Buffer.concat(parts, gathered);
    return this.advance(length);
  }

  /**
   * Exactly `length` bytes that stay valid only until the cursor's next call: a view into
   * the chunk at hand, or, when they span chunks, a copy in a scratch buffer the cursor
   * reuses. For bytes used at once (a small entry inflated synchronously): a pass over
   * 100,000 resources otherwise leaves a buffer per entry for the GC, which V8 collects
   * only after tens of MB of them have piled up outside the heap.
   */
  async readTransient(length: number): Promise<Buffer> {
    if (this.buffered.length >= length) return this.advance(length);
    if (this.scratch.length < length) this.scratch = Buffer.allocUnsafeSlow(Math.max(length, this.scratch.length * 2));
    let filled = this.buffered.copy(this.scratch, 0);
    this.buffered = EMPTY;
    while (filled < length) {
      const chunk = await this.next();
      if (!chunk) throw new UnexpectedEndOfData(this.position + filled);
      const used = chunk.copy(this.scratch, filled, 0, Math.min(chunk.length, length - filled));
      filled += used;
      this.buffered = chunk.subarray(used);
    }
    this.position += length;
    return this.scratch.subarray(0, length);
  }

  private advance(length: number): Buffer {
    const bytes = this.buffered.subarray(0, length);
    this.buffered = this.buffered.subarray(length);
    this.position += length;
    return bytes;
  }

  /** The next `length` bytes as they arrive; throws UnexpectedEndOfData when the stream ends first. */
  async *take(length: number): AsyncGenerator<Buffer, void, undefined> {
    let remaining = length;
    while (remaining > 0) {
      if (this.buffered.length === 0) {
        const chunk = await this.next();
        if (!chunk) throw new UnexpectedEndOfData(this.position);
        this.buffered = chunk;
      }
      const piece = this.buffered.subarray(0, remaining);
      this.buffered = this.buffered.subarray(piece.length);
      this.position += piece.length;
      remaining -= piece.length;
      yield piece;
    }
  }

  async skip(length: number): Promise<void> {
    for await (const piece of this.take(length)) void piece;
  }

  /** Stops reading and releases the stream. */
  async close(): Promise<void> {
    this.buffered = EMPTY;
    this.scratch = EMPTY;
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
