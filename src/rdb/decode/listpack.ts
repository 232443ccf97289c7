import { EncodingError, intText, type Visit } from './encoding-error.js';

/** Bytes the backward-length field takes for an entry of `len` bytes (lpEncodeBacklen). */
function backlenSize(len: number): number {
  if (len <= 127) return 1;
  if (len < 16383) return 2;
  if (len < 2097151) return 3;
  if (len < 268435455) return 4;
  return 5;
}

/**
 * Walk a listpack (listpack.md): a 4-byte total size, a 2-byte count (65535: unknown), entries of
 * encoding + data + backward length, and a 0xFF terminator. Every entry's backward length is checked,
 * so a flipped byte inside is caught. `visit` receives each element (integers as decimal text);
 * without it nothing is allocated. Returns the number of elements.
 */
export function walkListpack(lp: Buffer, visit?: Visit): number {
  const fail = (at: number, reason: string): never => {
    throw new EncodingError('listpack', at, reason);
  };
  if (lp.length < 7) fail(0, `${lp.length} bytes is too short`);
  if (lp.readUInt32LE(0) !== lp.length) fail(0, `header says ${lp.readUInt32LE(0)} bytes, the string holds ${lp.length}`);
  const stated = lp.readUInt16LE(4);
  let p = 6;
  let count = 0;
  const end = lp.length - 1;
  while (p < end) {
    const b = lp[p]!;
    let head = 1;
    let strLen = -1;
    let intBytes = 0;
    let value: number | bigint = 0;
    if (b < 0x80) value = b;
    else if (b < 0xc0) strLen = b & 0x3f;
    else if (b < 0xe0) {
      head = 2;
      if (p + 1 >= end) fail(p, 'entry cut short');
      const v = ((b & 0x1f) << 8) | lp[p + 1]!;
      value = v >= 1 << 12 ? v - (1 << 13) : v;
    } else if (b < 0xf0) {
      head = 2;
      if (p + 1 >= end) fail(p, 'entry cut short');
      strLen = ((b & 0x0f) << 8) | lp[p + 1]!;
    } else if (b === 0xf0) {
      head = 5;
      if (p + 5 > end) fail(p, 'entry cut short');
      strLen = lp.readUInt32LE(p + 1);
    } else if (b >= 0xf1 && b <= 0xf4) intBytes = b === 0xf1 ? 2 : b === 0xf2 ? 3 : b === 0xf3 ? 4 : 8;
    else fail(p, b === 0xff ? 'terminator before the end' : `unknown entry encoding 0x${b.toString(16)}`);
    const dataLen = strLen >= 0 ? strLen : intBytes;
    const entryLen = head + dataLen;
    const bl = backlenSize(entryLen);
    if (p + entryLen + bl > end) fail(p, 'entry runs past the end');
    if (visit) {
      if (strLen >= 0) visit(lp.subarray(p + head, p + head + strLen));
      else if (intBytes === 8) visit(intText(lp.readBigInt64LE(p + 1)));
      else visit(intText(intBytes ? lp.readIntLE(p + 1, intBytes) : value));
    }
    // The backward length, read the way lpPrev reads it: from its last byte towards the entry.
    let back = 0;
    for (let i = 0, q = p + entryLen + bl - 1; i < bl; i++, q--) {
      back |= (lp[q]! & 127) << (7 * i);
      if (i < bl - 1 && !(lp[q]! & 128)) fail(q, 'bad backward length');
    }
    if (back !== entryLen) fail(p, `backward length ${back}, entry is ${entryLen} bytes`);
    p += entryLen + bl;
    count++;
  }
  if (lp[end] !== 0xff) fail(end, 'no terminator');
  if (stated !== 65535 && stated !== count) fail(4, `header says ${stated} elements, found ${count}`);
  return count;
}
