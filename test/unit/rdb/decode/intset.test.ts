import { describe, expect, it } from 'vitest';
import { walkIntset } from '../../../../src/rdb/decode/intset.js';
import { intset } from '../../../helpers/rdb-builder.js';

describe('walkIntset', () => {
  it('reads 16-, 32- and 64-bit intsets in order', () => {
    for (const [width, values] of [
      [2, [-3, 0, 5, 32767]],
      [4, [-70000, 1, 70000]],
      [8, [-(2 ** 40), 7, 2 ** 50]],
    ] as const) {
      const out: string[] = [];
      expect(walkIntset(intset(width, values), (b) => out.push(b.toString()))).toBe(values.length);
      expect(out).toEqual(values.map(String));
    }
  });

  it('refuses a bad width, a size that does not fit the count, and unsorted values', () => {
    expect(() => walkIntset(Buffer.concat([intset(2, [1]).subarray(0, 8), Buffer.alloc(1)]))).toThrow(/do not fill/);
    const w3 = intset(2, [1, 2]);
    w3.writeUInt32LE(3, 0);
    expect(() => walkIntset(w3)).toThrow(/integer width 3/);
    const unsorted = intset(2, [1, 2]);
    unsorted.writeInt16LE(5, 8);
    expect(() => walkIntset(unsorted)).toThrow(/ascending/);
  });
});
