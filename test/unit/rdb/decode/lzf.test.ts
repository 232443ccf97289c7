import { describe, expect, it } from 'vitest';
import { checkLzf, decompressLzf, LzfError } from '../../../../src/rdb/decode/lzf.js';

describe('decompressLzf', () => {
  it('decodes literals, short references and long references that overlap their output', () => {
    // "ab" literal, then a 3-byte reference to 2 back ("aba"), then a 40-byte run of the last byte.
    const src = Buffer.from([1, 0x61, 0x62, (1 << 5) | 0, 1, (7 << 5) | 0, 40 - 2 - 7, 0]);
    expect(decompressLzf(src, 2 + 3 + 40).toString()).toBe('ab' + 'aba' + 'a'.repeat(40));
  });

  it('refuses output that does not match the stated length, and references before the start', () => {
    const src = Buffer.from([2, 0x61, 0x62, 0x63]);
    expect(() => decompressLzf(src, 4)).toThrow(/output is 3 bytes, stated 4/);
    expect(() => decompressLzf(src, 2)).toThrow(LzfError);
    expect(() => decompressLzf(Buffer.from([0, 0x61, (1 << 5) | 0, 5]), 4)).toThrow(/before the start/);
    expect(() => decompressLzf(Buffer.from([5, 0x61]), 6)).toThrow(/past the end of the input/);
    // The check without output agrees with the decoder on every one of these.
    expect(() => checkLzf(src, 4)).toThrow(/output is 3 bytes, stated 4/);
    expect(() => checkLzf(Buffer.from([0, 0x61, (1 << 5) | 0, 5]), 4)).toThrow(/before the start/);
    expect(() => checkLzf(Buffer.from([1, 0x61, 0x62, (1 << 5) | 0, 1, (7 << 5) | 0, 40 - 2 - 7, 0]), 45)).not.toThrow();
  });
});
