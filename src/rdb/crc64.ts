/**
 * CRC-64/Jones as Redis computes it (crc64.c: polynomial 0xad93d23594c935a9, reflected, initial
 * value 0, no final xor): the RDB trailer and the last 8 bytes of every DUMP payload. No npm package
 * implements this variant (they do ECMA-182 or NVMe), so it is here: slicing-by-8 over two 32-bit
 * halves, since BigInt arithmetic per byte would cap the reader far below 100 MB/s.
 */

/** The reflected polynomial, as two 32-bit halves. */
const POLY_HI = 0x95ac9329;
const POLY_LO = 0xac4bc9b5;

/** Eight tables of 256 entries, high and low halves: table k is a byte followed by k zero bytes. */
const HI = new Uint32Array(8 * 256);
const LO = new Uint32Array(8 * 256);

for (let i = 0; i < 256; i++) {
  let hi = 0;
  let lo = i;
  for (let bit = 0; bit < 8; bit++) {
    const carry = lo & 1;
    lo = ((lo >>> 1) | ((hi & 1) << 31)) >>> 0;
    hi >>>= 1;
    if (carry) {
      hi = (hi ^ POLY_HI) >>> 0;
      lo = (lo ^ POLY_LO) >>> 0;
    }
  }
  HI[i] = hi;
  LO[i] = lo;
}
for (let k = 1; k < 8; k++) {
  for (let i = 0; i < 256; i++) {
    const hi = HI[(k - 1) * 256 + i]!;
    const lo = LO[(k - 1) * 256 + i]!;
    const t = lo & 0xff;
    HI[k * 256 + i] = ((hi >>> 8) ^ HI[t]!) >>> 0;
    LO[k * 256 + i] = (((lo >>> 8) | ((hi & 0xff) << 24)) ^ LO[t]!) >>> 0;
  }
}

/** A running CRC-64 over bytes fed in order. */
export class Crc64 {
  /** The two halves of the current value (a JS number holds only 53 bits exactly). */
  #hi = 0;
  #lo = 0;

  update(buf: Uint8Array, start = 0, end = buf.length): this {
    let hi = this.#hi;
    let lo = this.#lo;
    let i = start;
    // Whole 8-byte words as two 32-bit little-endian loads (a DataView reads them at any alignment;
    // composing them from single bytes cost a third of the validation pass). Below 64 bytes (a DUMP
    // payload) making the view costs more than it saves: those go a byte at a time.
    if (end - i >= 64) {
      const view = new DataView(buf.buffer, buf.byteOffset + i, end - i);
      const words = (end - i) & ~7;
      for (let w = 0; w < words; w += 8) {
        const a = lo ^ view.getUint32(w, true);
        const b = hi ^ view.getUint32(w + 4, true);
        const i7 = 7 * 256 + (a & 0xff);
        const i6 = 6 * 256 + ((a >>> 8) & 0xff);
        const i5 = 5 * 256 + ((a >>> 16) & 0xff);
        const i4 = 4 * 256 + (a >>> 24);
        const i3 = 3 * 256 + (b & 0xff);
        const i2 = 2 * 256 + ((b >>> 8) & 0xff);
        const i1 = 256 + ((b >>> 16) & 0xff);
        const i0 = b >>> 24;
        hi = HI[i7]! ^ HI[i6]! ^ HI[i5]! ^ HI[i4]! ^ HI[i3]! ^ HI[i2]! ^ HI[i1]! ^ HI[i0]!;
        lo = LO[i7]! ^ LO[i6]! ^ LO[i5]! ^ LO[i4]! ^ LO[i3]! ^ LO[i2]! ^ LO[i1]! ^ LO[i0]!;
      }
      i += words;
    }
    for (; i < end; i++) {
      const t = (lo ^ buf[i]!) & 0xff;
      lo = ((lo >>> 8) | ((hi & 0xff) << 24)) ^ LO[t]!;
      hi = (hi >>> 8) ^ HI[t]!;
    }
    this.#hi = hi >>> 0;
    this.#lo = lo >>> 0;
    return this;
  }

  /** The value as Redis stores it: 8 bytes, little-endian. */
  digest(): Buffer {
    const out = Buffer.alloc(8);
    out.writeUInt32LE(this.#lo, 0);
    out.writeUInt32LE(this.#hi, 4);
    return out;
  }

  /** The value as 16 hex digits (for messages and tests). */
  hex(): string {
    return this.#hi.toString(16).padStart(8, '0') + this.#lo.toString(16).padStart(8, '0');
  }
}

/** CRC-64/Jones of one buffer, 8 bytes little-endian. */
export function crc64(buf: Uint8Array, start = 0, end = buf.length): Buffer {
  return new Crc64().update(buf, start, end).digest();
}
