import { EncodingError, intText, type Visit } from './encoding-error.js';

/**
 * Walk an intset (intset.c): a 4-byte width (2, 4 or 8 bytes per integer), a 4-byte count, then the
 * integers little-endian in strictly ascending order (checked). Returns the count.
 */
export function walkIntset(is: Buffer, visit?: Visit): number {
  const fail = (at: number, reason: string): never => {
    throw new EncodingError('intset', at, reason);
  };
  if (is.length < 8) fail(0, `${is.length} bytes is too short`);
  const width = is.readUInt32LE(0);
  if (width !== 2 && width !== 4 && width !== 8) fail(0, `integer width ${width}`);
  const count = is.readUInt32LE(4);
  if (8 + width * count !== is.length) fail(4, `${count} integers of ${width} bytes do not fill ${is.length - 8} bytes`);
  let prev: number | bigint | null = null;
  for (let i = 0, p = 8; i < count; i++, p += width) {
    const v: number | bigint = width === 8 ? is.readBigInt64LE(p) : is.readIntLE(p, width);
    if (prev !== null && v <= prev) fail(p, 'integers not in ascending order');
    prev = v;
    visit?.(intText(v));
  }
  return count;
}
