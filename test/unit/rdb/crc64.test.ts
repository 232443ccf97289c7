import { describe, expect, it } from 'vitest';
import { Crc64, crc64 } from '../../../src/rdb/crc64.js';

/** A bit-at-a-time CRC-64/Jones with BigInt: slow and obviously right, to check the sliced one. */
function slowCrc(buf: Buffer): bigint {
  const poly = 0x95ac9329ac4bc9b5n;
  let crc = 0n;
  for (const byte of buf) {
    crc ^= BigInt(byte);
    for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

describe('crc64 (Redis crc64.c)', () => {
  it('gives the check value Redis tests for ("123456789" → e9c6d914c4b8d9ca)', () => {
    expect(new Crc64().update(Buffer.from('123456789')).hex()).toBe('e9c6d914c4b8d9ca');
  });

  it('matches the trailer of a DUMP payload redis-server 7.0 produced (SET a 1)', () => {
    const payload = Buffer.from('00c0010a002678e7b6d10111fc', 'hex');
    expect(crc64(payload, 0, 5)).toEqual(payload.subarray(5));
  });

  it('equals the bitwise definition for every length 0..64 and random data, fed in any split', () => {
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7919 + 13) & 255));
    for (let n = 0; n <= 64; n++) {
      const want = slowCrc(data.subarray(0, n));
      expect(crc64(data.subarray(0, n)).readBigUInt64LE()).toBe(want);
    }
    const split = new Crc64().update(data, 0, 3).update(data, 3, 200).update(data, 200);
    expect(split.digest().readBigUInt64LE()).toBe(slowCrc(data));
    // Long runs take the aligned word path: every start alignment and length around it agrees.
    for (let start = 0; start < 8; start++) {
      for (const len of [63, 64, 65, 71, 200, 293 - start]) {
        const view = data.subarray(start, start + len);
        expect(crc64(view).readBigUInt64LE(), `${start}+${len}`).toBe(slowCrc(view));
      }
    }
  });
});
