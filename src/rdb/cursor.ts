import { RdbFormatError } from './errors.js';
import { checkLzf, decompressLzf, LzfError } from './decode/lzf.js';

/**
 * Thrown by a cursor over a partial buffer (bytes still arriving from a file or a socket) when a
 * read runs past what has arrived: the parser rewinds to the start of the entry and waits for more.
 * One shared object without a stack trace, since it is thrown at every chunk boundary.
 */
export const NEED_MORE: { readonly needMore: true } = Object.freeze({ needMore: true });

/** LZF output is at most this many times its input (a 3-byte back reference yields 264 bytes). */
const LZF_MAX_RATIO = 133;

/**
 * Reads RDB primitives (lengths, strings, doubles, times) from a buffer, at a position it keeps.
 * `base` is the absolute offset of `buf[0]`, so every error names the byte in the file. Over a
 * partial buffer, running out means "wait" (NEED_MORE); over a complete value it means corrupt.
 */
export class Cursor {
  /** Absolute offset the failed read would have needed the input to reach (set with NEED_MORE). */
  wanted = 0;

  constructor(
    public buf: Buffer,
    public pos: number,
    /** Absolute offset of buf[0] in the file or stream. */
    readonly base: number,
    /** True while more bytes may follow buf: running out is NEED_MORE, not corruption. */
    readonly partial: boolean,
    /** Absolute offset where the input ends, when known (the file size): reads past it are truncation. */
    readonly limit: number = Number.POSITIVE_INFINITY,
    /** What the bytes are, for messages about running out ("the value", "the file"). */
    readonly what: string = 'the value',
  ) {}

  /** Absolute offset of the next byte. */
  get offset(): number {
    return this.base + this.pos;
  }

  fail(reason: string, at = this.offset): never {
    throw new RdbFormatError(at, reason);
  }

  /** Make sure `n` more bytes are there. */
  need(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const end = this.base + this.pos + n;
    if (end > this.limit) this.fail(`truncated: ${n} bytes needed, ${this.what} ends at byte ${this.limit}`);
    if (this.partial) {
      this.wanted = end;
      throw NEED_MORE;
    }
    this.fail(`${this.what} ends ${end - this.base - this.buf.length} bytes too soon`);
  }

  u8(): number {
    if (this.pos >= this.buf.length) this.need(1);
    return this.buf[this.pos++]!;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  u32le(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A signed 64-bit little-endian integer (times in ms) as a number; exact below 2^53. */
  i64le(): number {
    this.need(8);
    // Two 32-bit halves: a BigInt per expiry showed in the profile.
    const v = this.buf.readUInt32LE(this.pos) + this.buf.readInt32LE(this.pos + 4) * 4294967296;
    this.pos += 8;
    return v;
  }

  doubleBinary(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /**
   * A length (rdbLoadLen), or for the special string encodings (top bits 11) `-1 - encoding`.
   * 64-bit lengths above 2^53 cannot be exact numbers: lenBig() reads those (stream ids, module ids).
   */
  lenOrEncoding(): number {
    const b = this.u8();
    const kind = b >> 6;
    if (kind === 0) return b & 0x3f;
    if (kind === 1) return ((b & 0x3f) << 8) | this.u8();
    if (kind === 3) return -1 - (b & 0x3f);
    if (b === 0x80) {
      this.need(4);
      const v = this.buf.readUInt32BE(this.pos);
      this.pos += 4;
      return v;
    }
    if (b === 0x81) {
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`length ${v} is too large`, this.offset - 9);
      return Number(v);
    }
    return this.fail(`unknown length encoding 0x${b.toString(16)}`, this.offset - 1);
  }

  /** A plain length (no special encoding allowed). */
  len(): number {
    const at = this.offset;
    const n = this.lenOrEncoding();
    if (n < 0) this.fail('an encoded string where a length was expected', at);
    return n;
  }

  /** A length of up to 64 bits, exactly (stream id parts, module ids). */
  lenBig(): bigint {
    const b = this.buf[this.pos];
    if (b === 0x81) {
      this.pos++;
      this.need(8);
      const v = this.buf.readBigUInt64BE(this.pos);
      this.pos += 8;
      return v;
    }
    return BigInt(this.len());
  }

  /** A string (rdbGenericLoadStringObject): raw bytes, an integer in 1/2/4 bytes, or LZF-compressed. */
  string(): Buffer {
    const at = this.offset;
    const n = this.lenOrEncoding();
    if (n >= 0) return this.bytes(n);
    switch (-1 - n) {
      case 0:
        return Buffer.from(String(this.buf.readInt8((this.need(1), this.pos++))));
      case 1: {
        this.need(2);
        const v = this.buf.readInt16LE(this.pos);
        this.pos += 2;
        return Buffer.from(String(v));
      }
      case 2: {
        this.need(4);
        const v = this.buf.readInt32LE(this.pos);
        this.pos += 4;
        return Buffer.from(String(v));
      }
      case 3:
        return this.#lzf('decode')!;
      default:
        return this.fail(`unknown string encoding ${-1 - n}`, at);
    }
  }

  /** Step over a string; with `deep`, decompress LZF strings to prove they are whole. */
  skipString(deep: boolean): void {
    const at = this.offset;
    const n = this.lenOrEncoding();
    if (n >= 0) return this.skip(n);
    const enc = -1 - n;
    if (enc === 0) return this.skip(1);
    if (enc === 1) return this.skip(2);
    if (enc === 2) return this.skip(4);
    if (enc === 3) return void this.#lzf(deep ? 'check' : 'skip');
    this.fail(`unknown string encoding ${enc}`, at);
  }

  /** The rest of an LZF string after its marker byte: stepped over, checked, or decoded. */
  #lzf(how: 'skip' | 'check' | 'decode'): Buffer | null {
    const compressed = this.len();
    const length = this.len();
    const at = this.offset;
    if (length > compressed * LZF_MAX_RATIO + 32) this.fail(`LZF string of ${compressed} bytes claims ${length} bytes uncompressed`, at);
    const data = this.bytes(compressed);
    if (how === 'skip') return null;
    try {
      if (how === 'check') return checkLzf(data, length), null;
      return decompressLzf(data, length);
    } catch (error) {
      if (error instanceof LzfError) this.fail(error.reason, at + error.at);
      throw error;
    }
  }

  /** A double written as text with a length byte (RDB_TYPE_ZSET, RDB < 8); 253 nan, 254 +inf, 255 -inf. */
  doubleString(): number {
    const n = this.u8();
    if (n === 253) return Number.NaN;
    if (n === 254) return Number.POSITIVE_INFINITY;
    if (n === 255) return Number.NEGATIVE_INFINITY;
    const at = this.offset;
    const text = this.bytes(n).toString('latin1');
    const v = Number(text);
    if (Number.isNaN(v) && !/^\s*nan\s*$/i.test(text)) this.fail(`score "${text}" is not a number`, at);
    return v;
  }
}
