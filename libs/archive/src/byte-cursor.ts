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
  private ended = false;

  constructor(
    stream: Readable,
    public position: number,
  ) {
    this.chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Exactly `length` bytes; throws UnexpectedEndOfData when the stream ends first. */
  async read(length: number): Promise<Buffer> {
    while (this.buffered.length < length) {
      const chunk = await this.next();
      if (!chunk) throw new UnexpectedEndOfData(this.position + this.buffered.length);
      this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    }
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
