import { describe, expect, it } from 'vitest';
import { walkZipmap } from '../../../../src/rdb/decode/zipmap.js';
import { zipmap } from '../../../helpers/rdb-builder.js';

describe('walkZipmap', () => {
  it('reads pairs, skipping the free bytes after each value, long lengths included', () => {
    const pairs: [string, string][] = [['a', '1'], ['name', 'x'.repeat(300)], ['', '']];
    const out: string[] = [];
    expect(walkZipmap(zipmap(pairs, 2), (b) => out.push(b.toString()))).toBe(3);
    expect(out).toEqual(pairs.flat());
  });

  it('refuses a wrong count and data past the end marker', () => {
    const zm = zipmap([['a', 'b']]);
    zm[0] = 2;
    expect(() => walkZipmap(zm)).toThrow(/header says 2 pairs, found 1/);
    expect(() => walkZipmap(Buffer.concat([zipmap([['a', 'b']]), Buffer.from([0])]))).toThrow(/after the end marker/);
  });
});
