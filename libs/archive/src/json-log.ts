const CHUNK_BYTES = 1024 * 1024;

/**
 * The elements of a JSON array, serialised as they are added and kept as UTF-8 bytes in
 * 1 MiB chunks outside the JS heap. The manifest lists every entry of an archive; kept as
 * objects until the end, 100,000 entries would be tens of MB of small objects for the
 * garbage collector to walk, and trace after trace would make V8 grow its heap to match.
 */
export class JsonArrayLog {
  private readonly full: Buffer[] = [];
  private current = Buffer.allocUnsafeSlow(0);
  private used = 0;
  private elements = 0;

  get length(): number {
    return this.elements;
  }

  push(value: unknown): void {
    const text = (this.elements === 0 ? '' : ',') + JSON.stringify(value);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (this.used + bytes > this.current.length) {
      if (this.used > 0) this.full.push(this.current.subarray(0, this.used));
      this.current = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, bytes));
      this.used = 0;
    }
    this.used += this.current.write(text, this.used, 'utf8');
    this.elements++;
  }

  /** The array as JSON, chunk by chunk. */
  *chunks(): Generator<Buffer> {
    yield Buffer.from('[');
    yield* this.full;
    if (this.used > 0) yield this.current.subarray(0, this.used);
    yield Buffer.from(']');
  }
}
