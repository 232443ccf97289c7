import { describe, expect, it } from 'vitest';
import { decodeStreamNode } from '../../../../src/rdb/decode/stream-listpack.js';
import { listpack } from '../../../helpers/rdb-builder.js';

const master = (ms: bigint, seq: bigint): Buffer => {
  const b = Buffer.alloc(16);
  b.writeBigUInt64BE(ms, 0);
  b.writeBigUInt64BE(seq, 8);
  return b;
};

describe('decodeStreamNode (t_stream.c node layout)', () => {
  it('expands same-field entries from the master fields, keeps own-field entries, skips deleted ones', () => {
    const lp = listpack([
      3, 1, 2, 'f1', 'f2', 0, // master entry: 3 valid, 1 deleted, fields f1 f2, terminator
      2, 0, 0, 'a', 'b', 5, // SAMEFIELDS at +0-0: values a b, lp-count
      0, 5, 1, 1, 'g', 'c', 6, // own fields at +5-1: 1 field g=c
      1 | 2, 6, 0, 'x', 'y', 5, // deleted
      2, 9, 615, 'd', 'e', 5, // reaching a sequence of 2^64 - 1
    ]);
    expect(decodeStreamNode(master(1000n, 18446744073709551000n), lp).map((e) => [e.id, e.fields.map(String)])).toEqual([
      ['1000-18446744073709551000', ['f1', 'a', 'f2', 'b']],
      ['1005-18446744073709551001', ['g', 'c']],
      ['1009-18446744073709551615', ['f1', 'd', 'f2', 'e']],
    ]);
  });
});
