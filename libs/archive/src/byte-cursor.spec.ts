import { Readable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { ByteCursor, UnexpectedEndOfData } from './byte-cursor.js';

/** A stream of the bytes 0, 1, 2, ... in chunks of the given sizes. */
function chunked(...sizes: number[]): Readable {
  let next = 0;
  return Readable.from(sizes.map((size) => Buffer.from(Array.from({ length: size }, () => next++ % 256))));
}
const run = (from: number, length: number) => Buffer.from(Array.from({ length }, (_, i) => (from + i) % 256));

describe('ByteCursor', () => {
  it('reads exact amounts within a chunk and across chunks, and keeps its position', async () => {
    const cursor = new ByteCursor(chunked(4, 3, 10, 2), 100);
    expect(await cursor.read(2)).toEqual(run(0, 2));
    expect(await cursor.read(9)).toEqual(run(2, 9));
    expect(cursor.position).toBe(111);
    await cursor.skip(3);
    expect(await cursor.read(5)).toEqual(run(14, 5));
    await expect(cursor.read(1)).rejects.toThrow(UnexpectedEndOfData);
  });

  it('hands out transient bytes across chunks, then reads on correctly after them', async () => {
    const cursor = new ByteCursor(chunked(3, 3, 3, 3, 3), 0);
    const first = await cursor.readTransient(7);
    expect(first).toEqual(run(0, 7));
    // What follows the transient bytes in the last chunk they touched is still there.
    expect(await cursor.read(2)).toEqual(run(7, 2));
    expect(await cursor.readTransient(2)).toEqual(run(9, 2));
    expect(await cursor.readTransient(4)).toEqual(run(11, 4));
    expect(cursor.position).toBe(15);
    await expect(cursor.readTransient(1)).rejects.toThrow('the data ends at byte 15');
  });
});
