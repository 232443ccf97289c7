import { describe, expect, it } from 'vitest';
import { walkZiplist } from '../../../../src/rdb/decode/ziplist.js';
import { ziplist } from '../../../helpers/rdb-builder.js';

describe('walkZiplist', () => {
  it('reads strings of each length class and every integer encoding', () => {
    const items = ['', 'a', 'b'.repeat(63), 'c'.repeat(300), 'd'.repeat(17000), 0, 12, 13, -1, 200, -30000, 8000000, -8388608, 2000000000, 5000000000, -9007199254740991];
    const zl = ziplist(items);
    const out: string[] = [];
    expect(walkZiplist(zl, (b) => out.push(b.toString()))).toBe(items.length);
    expect(out).toEqual(items.map(String));
  });

  it('checks total size, tail, count, previous lengths and the end marker', () => {
    const zl = ziplist(['aa', 'bb', 3]);
    const bad = (mutate: (b: Buffer) => void): (() => number) => () => {
      const copy = Buffer.from(zl);
      mutate(copy);
      return walkZiplist(copy);
    };
    expect(bad((b) => b.writeUInt32LE(5, 0))).toThrow(/header says 5 bytes/);
    expect(bad((b) => b.writeUInt32LE(10, 4))).toThrow(/tail offset 10/);
    expect(bad((b) => b.writeUInt16LE(9, 8))).toThrow(/9 elements, found 3/);
    expect(bad((b) => (b[14] = 7))).toThrow(/previous-entry length 7/);
    expect(bad((b) => (b[b.length - 1] = 1))).toThrow(/entry|end marker/);
  });
});
