import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const CHUNK_BYTES = 1024 * 1024;
/** Bytes held in memory before the log spills its full chunks to a temporary file. */
const SPILL_AFTER_BYTES = 4 * CHUNK_BYTES;

/**
 * The elements of a JSON array, serialised as they are added and kept as UTF-8 bytes. The
 * manifest lists every entry of an archive: kept as objects until the end, 100,000 entries
 * would be tens of MB of small objects for the garbage collector to walk; kept as bytes in
 * memory, a 200,000-entry export (proxies and their resources) would still hold ~40 MB
 * until it finishes. So past SPILL_AFTER_BYTES the full chunks go to a temporary file,
 * unlinked as soon as it is opened (nothing is left behind if the process dies), and are
 * read back one chunk at a time when the manifest is written.
 */
export class JsonArrayLog {
  private readonly full: Buffer[] = [];
  private current = Buffer.allocUnsafeSlow(0);
  private used = 0;
  private elements = 0;
  private spill?: { fd: number; bytes: number };
  private bytesInFull = 0;

  get length(): number {
    return this.elements;
  }

  /** Bytes of the array as JSON (brackets included). */
  get byteLength(): number {
    return 2 + (this.spill?.bytes ?? 0) + this.bytesInFull + this.used;
  }

  push(value: unknown): void {
    const text = (this.elements === 0 ? '' : ',') + JSON.stringify(value);
    const bytes = Buffer.byteLength(text, 'utf8');
    if (this.used + bytes > this.current.length) {
      if (this.used > 0) this.keep(this.current.subarray(0, this.used));
      this.current = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, bytes));
      this.used = 0;
    }
    this.used += this.current.write(text, this.used, 'utf8');
    this.elements++;
  }

  /** The array as JSON, chunk by chunk (spilled chunks read back one at a time). */
  *chunks(): Generator<Buffer> {
    yield Buffer.from('[');
    if (this.spill) {
      const { fd, bytes } = this.spill;
      for (let at = 0; at < bytes; at += CHUNK_BYTES) {
        const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, bytes - at));
        let read = 0;
        while (read < chunk.length) read += readSync(fd, chunk, read, chunk.length - read, at + read);
        yield chunk;
      }
    }
    yield* this.full;
    if (this.used > 0) yield this.current.subarray(0, this.used);
    yield Buffer.from(']');
  }

  /** Lets the spill file go (its space returns once the descriptor closes). */
  close(): void {
    if (!this.spill) return;
    closeSync(this.spill.fd);
    this.spill = undefined;
  }

  private keep(chunk: Buffer): void {
    this.full.push(chunk);
    this.bytesInFull += chunk.length;
    if (this.bytesInFull <= SPILL_AFTER_BYTES) return;
    if (!this.spill) {
      const path = join(tmpdir(), `apiferry-manifest-${process.pid}-${randomBytes(6).toString('hex')}.json`);
      const fd = openSync(path, 'w+', 0o600);
      unlinkSync(path);
      this.spill = { fd, bytes: 0 };
    }
    for (const full of this.full.splice(0)) {
      let written = 0;
      while (written < full.length) written += writeSync(this.spill.fd, full, written, full.length - written, this.spill.bytes + written);
      this.spill.bytes += full.length;
    }
    this.bytesInFull = 0;
  }
}
