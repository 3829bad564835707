import { describe, expect, it } from '@jest/globals';
import { ByteKeyIndex, ByteKeySet } from './byte-key-index.js';

describe('ByteKeyIndex', () => {
  it('finds every record by its key bytes after growing well past its first size, and nothing else', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => Buffer.from(`apiProxies/proxy-${i}-ü.json`));
    const index = new ByteKeyIndex((record) => keys[record]!, 4);
    keys.forEach((_, record) => expect(index.add(record)).toBe(-1));
    expect(index.size).toBe(5000);
    keys.forEach((key, record) => expect(index.find(key)).toBe(record));
    expect(index.find(Buffer.from('apiProxies/proxy-5000-ü.json'))).toBe(-1);
    expect(index.find(Buffer.alloc(0))).toBe(-1);
  });

  it('refuses a second record with an equal key and names the first', () => {
    const keys = [Buffer.from('a.json'), Buffer.from('b.json'), Buffer.from('a.json')];
    const index = new ByteKeyIndex((record) => keys[record]!);
    expect(index.add(0)).toBe(-1);
    expect(index.add(1)).toBe(-1);
    expect(index.add(2)).toBe(0);
    expect(index.size).toBe(2);
    expect(index.find(Buffer.from('a.json'))).toBe(0);
  });

  it('tells apart keys whose hashes collide in the table', () => {
    // 64 slots for 20 keys: many share a home slot, so lookups walk probe chains.
    const keys = Array.from({ length: 20 }, (_, i) => Buffer.from(String.fromCharCode(65 + i)));
    const index = new ByteKeyIndex((record) => keys[record]!, 20);
    keys.forEach((_, record) => index.add(record));
    keys.forEach((key, record) => expect(index.find(key)).toBe(record));
  });
});

describe('ByteKeySet', () => {
  it('answers has/add like a Set<string>, UTF-8 included, across buffer growth', () => {
    const set = new ByteKeySet();
    const long = 'x'.repeat(70_000);
    expect(set.has('pëts')).toBe(false);
    set.add('pëts').add('pets').add(long).add('pëts');
    expect(set.size).toBe(3);
    expect(set.has('pëts')).toBe(true);
    expect(set.has('pets')).toBe(true);
    expect(set.has(long)).toBe(true);
    expect(set.has('pëtS')).toBe(false);
    for (let i = 0; i < 3000; i++) set.add(`k${i}`);
    expect(set.size).toBe(3003);
    expect(set.has('k2999')).toBe(true);
    expect(set.has(long)).toBe(true);
  });
});
