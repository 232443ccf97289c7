import { EncodingError, type Visit } from './encoding-error.js';

/**
 * Walk a zipmap (the hash encoding of Redis ≤ 2.4, zipmap.c; RDB files of 2.6+ may still hold one
 * loaded from an older dump): a 1-byte count (254: unknown), then per pair a key length, the key, a
 * value length, a "free" byte, the value and that many unused bytes, and 0xFF. Lengths are one byte
 * below 254, else 254 and 4 bytes little-endian. `visit` gets field, value, field, value, …
 * Returns the number of pairs.
 */
export function walkZipmap(zm: Buffer, visit?: Visit): number {
  const fail = (at: number, reason: string): never => {
    throw new EncodingError('zipmap', at, reason);
  };
  if (zm.length < 2) fail(0, `${zm.length} bytes is too short`);
  const stated = zm[0]!;
  let p = 1;
  let pairs = 0;
  const length = (): number => {
    const b = zm[p];
    if (b === undefined) return fail(p, 'cut short');
    if (b < 254) {
      p += 1;
      return b;
    }
    if (b === 255) fail(p, 'end marker where a length was expected');
    if (p + 5 > zm.length) fail(p, 'cut short');
    const v = zm.readUInt32LE(p + 1);
    p += 5;
    return v;
  };
  for (;;) {
    if (p >= zm.length) fail(p, 'no end marker');
    if (zm[p] === 255) break;
    const keyLen = length();
    if (p + keyLen > zm.length) fail(p, 'key runs past the end');
    const key = zm.subarray(p, p + keyLen);
    p += keyLen;
    const valueLen = length();
    const free = zm[p];
    if (free === undefined) fail(p, 'cut short');
    p += 1;
    if (p + valueLen + free! > zm.length) fail(p, 'value runs past the end');
    if (visit) {
      visit(key);
      visit(zm.subarray(p, p + valueLen));
    }
    p += valueLen + free!;
    pairs++;
  }
  if (p !== zm.length - 1) fail(p, `${zm.length - 1 - p} bytes after the end marker`);
  if (stated < 254 && stated !== pairs) fail(0, `header says ${stated} pairs, found ${pairs}`);
  return pairs;
}
