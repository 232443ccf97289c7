import { Cursor } from './cursor.js';
import { RdbUnsupportedError } from './errors.js';
import { walkIntset } from './decode/intset.js';
import { walkListpack } from './decode/listpack.js';
import { walkZiplist } from './decode/ziplist.js';
import { walkZipmap } from './decode/zipmap.js';
import { readBlob } from './read-blob.js';
import { moduleTypeName, skipModuleValue } from './read-module.js';
import { walkStream } from './read-stream.js';
import { TYPE, VALKEY_HASH_2, type RdbFlavor } from './types.js';
import type { DecodedValue, HashField, ZsetMember } from './value-types.js';

/** How a value is read: `deep` checks inside compact encodings; `decode` builds the DecodedValue. */
export interface ReadHow {
  readonly flavor: RdbFlavor;
  readonly deep: boolean;
  readonly decode: boolean;
}

/** Pairs (a, b, a, b, …) of a flat element list. */
function pairs<T>(items: readonly Buffer[], make: (a: Buffer, b: Buffer) => T): T[] {
  const out: T[] = [];
  for (let i = 0; i + 1 < items.length; i += 2) out.push(make(items[i]!, items[i + 1]!));
  return out;
}

/** A score stored as text in a ziplist or listpack: what strtod reads, "inf" and "-inf" included. */
function score(c: Cursor, text: Buffer): number {
  const s = text.toString('latin1');
  const inf = /^([+-]?)inf(inity)?$/i.exec(s);
  const v = inf ? (inf[1] === '-' ? -Infinity : Infinity) : Number(s);
  if (Number.isNaN(v) || !s.trim()) c.fail(`sorted set score "${s}" is not a number`);
  return v;
}

/** A field TTL listpack entry (0: none) as an absolute time or null. */
const fieldTtl = (text: Buffer): number | null => (text.length === 1 && text[0] === 0x30 ? null : Number(text.toString('latin1')));

/** Elements of a compact blob, collected only when decoding. */
function blobItems(c: Cursor, how: ReadHow, walk: (blob: Buffer, visit?: (b: Buffer) => void) => number, count = 1): Buffer[] {
  const items: Buffer[] = [];
  const visit = how.decode ? (b: Buffer): void => void items.push(b) : undefined;
  for (let i = 0; i < count; i++) readBlob(c, how.deep, walk, visit);
  return items;
}

function readList(c: Cursor, type: number, how: ReadHow): Buffer[] {
  if (type === TYPE.LIST_ZIPLIST) return blobItems(c, how, walkZiplist);
  const n = c.len();
  if (type === TYPE.LIST_QUICKLIST) return blobItems(c, how, walkZiplist, n);
  const items: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    if (type === TYPE.LIST_QUICKLIST_2) {
      const at = c.offset;
      const container = c.len();
      if (container === 2) {
        items.push(...blobItems(c, how, walkListpack));
        continue;
      }
      if (container !== 1) c.fail(`quicklist node container ${container} (expected 1 plain or 2 packed)`, at);
    }
    if (how.decode) items.push(c.string());
    else c.skipString(how.deep);
  }
  return items;
}

function readSet(c: Cursor, type: number, how: ReadHow): Buffer[] {
  if (type === TYPE.SET_INTSET) return blobItems(c, how, walkIntset);
  if (type === TYPE.SET_LISTPACK) return blobItems(c, how, walkListpack);
  const n = c.len();
  const members: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    if (how.decode) members.push(c.string());
    else c.skipString(how.deep);
  }
  return members;
}

function readZset(c: Cursor, type: number, how: ReadHow): ZsetMember[] {
  if (type === TYPE.ZSET_ZIPLIST || type === TYPE.ZSET_LISTPACK) {
    const items = blobItems(c, how, type === TYPE.ZSET_ZIPLIST ? walkZiplist : walkListpack);
    return pairs(items, (member, s) => ({ member, score: score(c, s) }));
  }
  const n = c.len();
  const out: ZsetMember[] = [];
  for (let i = 0; i < n; i++) {
    const member = how.decode ? c.string() : (c.skipString(how.deep), null);
    const s = type === TYPE.ZSET_2 ? c.doubleBinary() : c.doubleString();
    if (Number.isNaN(s)) c.fail('sorted set score is NaN');
    if (member) out.push({ member, score: s });
  }
  return out;
}

function readHash(c: Cursor, type: number, how: ReadHow): HashField[] {
  const plain = (field: Buffer, value: Buffer): HashField => ({ field, value, expireAt: null });
  if (type === TYPE.HASH_ZIPMAP) return pairs(blobItems(c, how, walkZipmap), plain);
  if (type === TYPE.HASH_ZIPLIST) return pairs(blobItems(c, how, walkZiplist), plain);
  if (type === TYPE.HASH_LISTPACK) return pairs(blobItems(c, how, walkListpack), plain);
  const valkey = how.flavor === 'valkey' && type === VALKEY_HASH_2;
  if (!valkey && (type === TYPE.HASH_LISTPACK_EX || type === TYPE.HASH_LISTPACK_EX_PRE_GA)) {
    if (type === TYPE.HASH_LISTPACK_EX) c.skip(8); // the smallest field expiry, a hint
    const items = blobItems(c, how, walkListpack);
    const out: HashField[] = [];
    for (let i = 0; i + 2 < items.length; i += 3) out.push({ field: items[i]!, value: items[i + 1]!, expireAt: fieldTtl(items[i + 2]!) });
    return out;
  }
  // Plain fields: HASH; HASH_METADATA(_PRE_GA) put a TTL before each field; Valkey's HASH_2 after.
  const minExpire = !valkey && type === TYPE.HASH_METADATA ? c.i64le() : 0;
  const n = c.len();
  const out: HashField[] = [];
  for (let i = 0; i < n; i++) {
    let expireAt: number | null = null;
    if (!valkey && type !== TYPE.HASH) {
      const ttl = c.len();
      // HASH_METADATA stores ttl - minExpire + 1 (0: none); the pre-GA type stores it absolute.
      expireAt = ttl === 0 ? null : type === TYPE.HASH_METADATA ? ttl + minExpire - 1 : ttl;
    }
    const field = how.decode ? c.string() : (c.skipString(how.deep), null);
    const value = how.decode ? c.string() : (c.skipString(how.deep), null);
    if (valkey) {
      const t = c.i64le();
      expireAt = t === -1 ? null : t;
    }
    if (field && value) out.push({ field, value, expireAt });
  }
  return out;
}

/**
 * Read one value of `type` at the cursor: step over it (the reader finding where the next entry
 * starts), check it (`deep`) or decode it. The same code serves all three, so what the validation
 * pass accepts is exactly what the write pass and the decoder read.
 */
export function readValue(c: Cursor, type: number, how: ReadHow): DecodedValue | null {
  switch (type) {
    case TYPE.STRING: {
      if (!how.decode) return c.skipString(how.deep), null;
      return { kind: 'string', value: c.string() };
    }
    case TYPE.LIST:
    case TYPE.LIST_ZIPLIST:
    case TYPE.LIST_QUICKLIST:
    case TYPE.LIST_QUICKLIST_2:
      return wrap(how, { kind: 'list', items: readList(c, type, how) });
    case TYPE.SET:
    case TYPE.SET_INTSET:
    case TYPE.SET_LISTPACK:
      return wrap(how, { kind: 'set', members: readSet(c, type, how) });
    case TYPE.ZSET:
    case TYPE.ZSET_2:
    case TYPE.ZSET_ZIPLIST:
    case TYPE.ZSET_LISTPACK:
      return wrap(how, { kind: 'zset', members: readZset(c, type, how) });
    case TYPE.STREAM_LISTPACKS:
    case TYPE.STREAM_LISTPACKS_2:
    case TYPE.STREAM_LISTPACKS_3: {
      const stream = walkStream(c, type, how);
      return stream ? { kind: 'stream', stream } : null;
    }
    case TYPE.MODULE_PRE_GA:
    case TYPE.MODULE_2: {
      const at = c.offset;
      const name = moduleTypeName(c.lenBig());
      if (type === TYPE.MODULE_PRE_GA) throw new RdbUnsupportedError(at, null, `a value of module type "${name}" in the pre-release module format, which cannot be read without the module`);
      skipModuleValue(c);
      if (how.decode) throw new RdbUnsupportedError(at, null, `a value of module type "${name}" can only be read by that module (if the server that wrote the file had no module, the file is corrupt here)`);
      return null;
    }
    default:
      return wrap(how, { kind: 'hash', fields: readHash(c, type, how) });
  }
}

const wrap = (how: ReadHow, v: DecodedValue): DecodedValue | null => (how.decode ? v : null);

/** Decode a key's value from its bytes in the file (`offset`: where they start, for messages). */
export function decodeValue(type: number, bytes: Buffer, offset: number, flavor: RdbFlavor): DecodedValue {
  const c = new Cursor(bytes, 0, offset, false);
  const v = readValue(c, type, { flavor, deep: true, decode: true })!;
  if (c.pos !== bytes.length) c.fail(`${bytes.length - c.pos} bytes after the value`);
  return v;
}

/** The module type name of a module value (type 6 or 7), from the id it starts with. */
export function moduleNameOf(bytes: Buffer, offset: number): string {
  return moduleTypeName(new Cursor(bytes, 0, offset, false).lenBig());
}
