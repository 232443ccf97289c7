import { EncodingError, intText, type Visit } from './encoding-error.js';

/**
 * Walk a ziplist (Redis ≤ 6.2's compact list, ziplist.c): 4-byte total size, 4-byte tail offset,
 * 2-byte count (65535: unknown), entries of previous-length + encoding + data, and 0xFF. Each entry's
 * previous-length is checked against the entry before it. `visit` gets each element (integers as
 * decimal text); returns the number of elements.
 */
export function walkZiplist(zl: Buffer, visit?: Visit): number {
  const fail = (at: number, reason: string): never => {
    throw new EncodingError('ziplist', at, reason);
  };
  if (zl.length < 11) fail(0, `${zl.length} bytes is too short`);
  if (zl.readUInt32LE(0) !== zl.length) fail(0, `header says ${zl.readUInt32LE(0)} bytes, the string holds ${zl.length}`);
  const tail = zl.readUInt32LE(4);
  const stated = zl.readUInt16LE(8);
  const end = zl.length - 1;
  let p = 10;
  let prev = 0;
  let last = -1;
  let count = 0;
  while (p < end) {
    const start = p;
    let prevLen = zl[p]!;
    if (prevLen === 254) {
      if (p + 5 > end) fail(p, 'entry cut short');
      prevLen = zl.readUInt32LE(p + 1);
      p += 5;
    } else p += 1;
    if (prevLen !== prev) fail(start, `previous-entry length ${prevLen}, the entry before is ${prev} bytes`);
    if (p >= end) fail(p, 'entry cut short');
    const b = zl[p]!;
    let head = 1;
    let strLen = -1;
    let intBytes = 0;
    let imm = 0;
    const kind = b >> 6;
    if (kind === 0) strLen = b & 0x3f;
    else if (kind === 1) {
      head = 2;
      strLen = ((b & 0x3f) << 8) | (zl[p + 1] ?? 0);
    } else if (b === 0x80) {
      head = 5;
      if (p + 5 > end) fail(p, 'entry cut short');
      strLen = zl.readUInt32BE(p + 1);
    } else if (b === 0xc0) intBytes = 2;
    else if (b === 0xd0) intBytes = 4;
    else if (b === 0xe0) intBytes = 8;
    else if (b === 0xf0) intBytes = 3;
    else if (b === 0xfe) intBytes = 1;
    else if (b >= 0xf1 && b <= 0xfd) imm = (b & 0x0f) - 1;
    else fail(p, `unknown entry encoding 0x${b.toString(16)}`);
    const dataEnd = p + head + (strLen >= 0 ? strLen : intBytes);
    if (dataEnd > end) fail(p, 'entry runs past the end');
    if (visit) {
      if (strLen >= 0) visit(zl.subarray(p + head, dataEnd));
      else if (intBytes === 8) visit(intText(zl.readBigInt64LE(p + 1)));
      else visit(intText(intBytes ? zl.readIntLE(p + 1, intBytes) : imm));
    }
    last = start;
    prev = dataEnd - start;
    p = dataEnd;
    count++;
  }
  if (zl[end] !== 0xff) fail(end, 'no end marker');
  if (count && tail !== last) fail(4, `tail offset ${tail}, the last entry is at ${last}`);
  if (stated !== 65535 && stated !== count) fail(8, `header says ${stated} elements, found ${count}`);
  return count;
}
