import { describe, expect, it } from 'vitest';
import { walkListpack } from '../../../../src/rdb/decode/listpack.js';
import { listpack } from '../../../helpers/rdb-builder.js';

const read = (lp: Buffer): string[] => {
  const out: string[] = [];
  walkListpack(lp, (b) => out.push(b.toString()));
  return out;
};

describe('walkListpack', () => {
  it('reads every string and integer encoding, integers as decimal text', () => {
    const items = ['', 'a', 'x'.repeat(63), 'y'.repeat(64), 'z'.repeat(4095), 'w'.repeat(5000), 0, 127, 128, -1, 4095, -4096, 4096, -32768, 32767, 40000, -2147483648, 2147483647, 2147483648, -9223372036854775808n, 9223372036854775807n];
    const lp = listpack(items);
    expect(walkListpack(lp)).toBe(items.length);
    expect(read(lp)).toEqual(items.map(String));
  });

  it('refuses a wrong size, count, terminator or backward length, naming where', () => {
    const lp = listpack(['abc', 7]);
    const bad = (mutate: (b: Buffer) => void): (() => number) => () => {
      const copy = Buffer.from(lp);
      mutate(copy);
      return walkListpack(copy);
    };
    expect(bad((b) => b.writeUInt32LE(99, 0))).toThrow(/header says 99 bytes/);
    expect(bad((b) => b.writeUInt16LE(3, 4))).toThrow(/header says 3 elements, found 2/);
    expect(bad((b) => (b[b.length - 1] = 0))).toThrow(/no terminator/);
    expect(bad((b) => (b[10] = 9))).toThrow(/backward length 9, entry is 4 bytes at byte 6/);
    expect(bad((b) => (b[6] = 0xf7))).toThrow(/unknown entry encoding 0xf7/);
  });
});
