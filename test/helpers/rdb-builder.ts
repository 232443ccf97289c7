/**
 * Builds RDB files and encoded values by hand, from the format's documentation (rdb.c, ziplist.c,
 * listpack.md, intset.c, zipmap.c), for what the local Redis 7.0 cannot write: zipmaps, ziplists,
 * quicklists of ziplists, RDB 11 listpack sets, RDB 12 hash-field expiry, module values, function
 * and slot-info opcodes. Written apart from src/rdb's own writer so a mistake there is not repeated
 * here; the old-version files are also loaded into a real redis-server to prove the builder right.
 */
import { Crc64 } from '../../src/rdb/crc64.js';

const b = (...bytes: number[]): Buffer => Buffer.from(bytes);
const text = (s: string | Buffer): Buffer => (typeof s === 'string' ? Buffer.from(s) : s);

/** rdbSaveLen. */
export function len(n: number | bigint): Buffer {
  const v = BigInt(n);
  if (v < 64n) return b(Number(v));
  if (v < 16384n) return b(0x40 | Number(v >> 8n), Number(v & 255n));
  if (v <= 0xffffffffn) {
    const out = Buffer.alloc(5);
    out[0] = 0x80;
    out.writeUInt32BE(Number(v), 1);
    return out;
  }
  const out = Buffer.alloc(9);
  out[0] = 0x81;
  out.writeBigUInt64BE(v, 1);
  return out;
}

/** A raw string. */
export const str = (s: string | Buffer): Buffer => Buffer.concat([len(text(s).length), text(s)]);

/** An integer-encoded string (RDB_ENC_INT8/16/32). */
export function intStr(v: number): Buffer {
  if (v >= -128 && v <= 127) return b(0xc0, v & 0xff);
  if (v >= -32768 && v <= 32767) {
    const out = Buffer.alloc(3);
    out[0] = 0xc1;
    out.writeInt16LE(v, 1);
    return out;
  }
  const out = Buffer.alloc(5);
  out[0] = 0xc2;
  out.writeInt32LE(v, 1);
  return out;
}

/**
 * An LZF-compressed string: literal runs, with each run of 3+ equal bytes as a back reference to
 * the byte before it (enough to exercise literals, short and long references).
 */
export function lzfStr(data: Buffer): Buffer {
  const out: number[] = [];
  let lit: number[] = [];
  const flush = (): void => {
    while (lit.length) {
      const run = lit.splice(0, 32);
      out.push(run.length - 1, ...run);
    }
  };
  let i = 0;
  while (i < data.length) {
    let run = 1;
    while (i + run < data.length && data[i + run] === data[i] && run < 264) run++;
    if (i > 0 && data[i - 1] === data[i] && run >= 3) {
      flush();
      const l = run - 2;
      if (l < 7) out.push((l << 5) | 0, 0);
      else out.push((7 << 5) | 0, l - 7, 0);
      i += run;
    } else {
      lit.push(data[i]!);
      i++;
    }
  }
  flush();
  return Buffer.concat([b(0xc3), len(out.length), len(data.length), Buffer.from(out)]);
}

/** A ziplist of strings and integers (numbers: integer encodings by size). */
export function ziplist(items: readonly (string | number)[]): Buffer {
  const entries: Buffer[] = [];
  let prev = 0;
  let tail = 10;
  let at = 10;
  for (const item of items) {
    const prevLen = prev < 254 ? b(prev) : Buffer.concat([b(254), u32le(prev)]);
    let body: Buffer;
    if (typeof item === 'number') {
      if (item >= 0 && item <= 12) body = b(0xf1 + item);
      else if (item >= -128 && item <= 127) body = b(0xfe, item & 0xff);
      else if (item >= -32768 && item <= 32767) body = Buffer.concat([b(0xc0), i16le(item)]);
      else if (item >= -8388608 && item <= 8388607) {
        const v = Buffer.alloc(3);
        v.writeIntLE(item, 0, 3);
        body = Buffer.concat([b(0xf0), v]);
      } else if (item >= -2147483648 && item <= 2147483647) {
        const v = Buffer.alloc(4);
        v.writeInt32LE(item);
        body = Buffer.concat([b(0xd0), v]);
      } else {
        const v = Buffer.alloc(8);
        v.writeBigInt64LE(BigInt(item));
        body = Buffer.concat([b(0xe0), v]);
      }
    } else {
      const s = Buffer.from(item);
      if (s.length < 64) body = Buffer.concat([b(s.length), s]);
      else if (s.length < 16384) body = Buffer.concat([b(0x40 | (s.length >> 8), s.length & 255), s]);
      else {
        const l = Buffer.alloc(5);
        l[0] = 0x80;
        l.writeUInt32BE(s.length, 1);
        body = Buffer.concat([l, s]);
      }
    }
    const entry = Buffer.concat([prevLen, body]);
    tail = at;
    at += entry.length;
    prev = entry.length;
    entries.push(entry);
  }
  const total = at + 1;
  return Buffer.concat([u32le(total), u32le(items.length ? tail : 10), u16le(items.length), ...entries, b(0xff)]);
}

/** A listpack of strings and integers. */
export function listpack(items: readonly (string | number | bigint)[]): Buffer {
  const entries: Buffer[] = [];
  for (const item of items) {
    let body: Buffer;
    if (typeof item !== 'string') {
      const v = BigInt(item);
      if (v >= 0n && v <= 127n) body = b(Number(v));
      else if (v >= -4096n && v <= 4095n) {
        const u = Number(v < 0n ? v + 8192n : v);
        body = b(0xc0 | (u >> 8), u & 255);
      } else if (v >= -32768n && v <= 32767n) body = Buffer.concat([b(0xf1), i16le(Number(v))]);
      else if (v >= -2147483648n && v <= 2147483647n) {
        const x = Buffer.alloc(4);
        x.writeInt32LE(Number(v));
        body = Buffer.concat([b(0xf3), x]);
      } else {
        const x = Buffer.alloc(8);
        x.writeBigInt64LE(v);
        body = Buffer.concat([b(0xf4), x]);
      }
    } else {
      const s = Buffer.from(item);
      if (s.length < 64) body = Buffer.concat([b(0x80 | s.length), s]);
      else if (s.length < 4096) body = Buffer.concat([b(0xe0 | (s.length >> 8), s.length & 255), s]);
      else body = Buffer.concat([b(0xf0), u32le(s.length), s]);
    }
    entries.push(Buffer.concat([body, backlen(body.length)]));
  }
  const content = Buffer.concat(entries);
  return Buffer.concat([u32le(6 + content.length + 1), u16le(items.length), content, b(0xff)]);
}

/** listpack.c lpEncodeBacklen: 7 bits per byte, the last byte (read first, backwards) flagged. */
function backlen(l: number): Buffer {
  if (l <= 127) return b(l);
  if (l < 16383) return b(l >> 7, (l & 127) | 128);
  return b(l >> 14, ((l >> 7) & 127) | 128, (l & 127) | 128);
}

/** An intset of `width` bytes per value (sorted here). */
export function intset(width: 2 | 4 | 8, values: readonly number[]): Buffer {
  const sorted = [...values].sort((x, y) => x - y);
  const body = Buffer.alloc(width * sorted.length);
  if (width !== 8) sorted.forEach((v, i) => body.writeIntLE(v, i * width, width));
  else sorted.forEach((v, i) => body.writeBigInt64LE(BigInt(v), i * 8));
  return Buffer.concat([u32le(width), u32le(sorted.length), body]);
}

/** A zipmap of pairs, with `free` unused bytes after each value. */
export function zipmap(pairs: readonly [string, string][], free = 1): Buffer {
  const l = (n: number): Buffer => (n < 254 ? b(n) : Buffer.concat([b(254), u32le(n)]));
  const parts = pairs.map(([k, v]) => Buffer.concat([l(k.length), Buffer.from(k), l(v.length), b(free), Buffer.from(v), Buffer.alloc(free)]));
  return Buffer.concat([b(pairs.length < 254 ? pairs.length : 254), ...parts, b(0xff)]);
}

export function u32le(n: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32LE(n);
  return out;
}
export function u16le(n: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16LE(n);
  return out;
}
function i16le(n: number): Buffer {
  const out = Buffer.alloc(2);
  out.writeInt16LE(n);
  return out;
}
export function i64le(n: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigInt64LE(BigInt(n));
  return out;
}
export function f64le(n: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeDoubleLE(n);
  return out;
}
/** rdbSaveDoubleValue: text with a length byte. */
export const dblStr = (n: number): Buffer => (n === Infinity ? b(254) : n === -Infinity ? b(255) : str(String(n)));

/** A 64-bit module id: the 9-character name (6 bits a character) above a 10-bit encoding version. */
export function moduleId(name: string, encver = 1): bigint {
  const cs = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let id = 0n;
  for (const ch of name) id = (id << 6n) | BigInt(cs.indexOf(ch));
  return (id << 10n) | BigInt(encver);
}

export interface KeyOptions {
  readonly expireAtMs?: number;
  /** The pre-RDB-3 seconds opcode. */
  readonly expireAtSec?: number;
  readonly idle?: number;
  readonly freq?: number;
}

/** An RDB file, piece by piece. */
export class RdbFile {
  readonly #parts: Buffer[] = [];

  constructor(version: number, magic: 'REDIS' | 'VALKEY' = 'REDIS') {
    this.#parts.push(Buffer.from(`${magic}${String(version).padStart(magic === 'REDIS' ? 4 : 3, '0')}`));
  }

  raw(...parts: Buffer[]): this {
    this.#parts.push(...parts);
    return this;
  }

  aux(key: string, value: string): this {
    return this.raw(b(250), str(key), str(value));
  }

  selectDb(db: number, keys?: number, expires = 0): this {
    this.raw(b(254), len(db));
    return keys === undefined ? this : this.raw(b(251), len(keys), len(expires));
  }

  key(type: number, name: string | Buffer, body: Buffer, o: KeyOptions = {}): this {
    if (o.expireAtMs !== undefined) this.raw(b(252), i64le(o.expireAtMs));
    if (o.expireAtSec !== undefined) {
      const s = Buffer.alloc(4);
      s.writeInt32LE(o.expireAtSec);
      this.raw(b(253), s);
    }
    if (o.idle !== undefined) this.raw(b(248), len(o.idle));
    if (o.freq !== undefined) this.raw(b(249), b(o.freq));
    return this.raw(b(type), str(name), body);
  }

  /** EOF and the CRC-64 trailer (zeros: saved with `rdbchecksum no`). */
  end(checksum = true): Buffer {
    const body = Buffer.concat([...this.#parts, b(255)]);
    return Buffer.concat([body, checksum ? new Crc64().update(body).digest() : Buffer.alloc(8)]);
  }
}
