import { Cursor } from '../cursor.js';
import { RdbUnsupportedError } from '../errors.js';
import { decodeValue } from '../read-value.js';
import { walkStream } from '../read-stream.js';
import { acceptsType, type TargetFormat } from '../target-format.js';
import { TYPE, typeInfo, VALKEY_HASH_2, VALKEY_RDB_VERSION, type RdbFlavor } from '../types.js';
import type { DecodedValue, HashField } from '../value-types.js';
import { ByteWriter } from './writer.js';

/** A value in a type the target understands. */
export interface Reencoded {
  readonly type: number;
  readonly body: Buffer;
}

/** The value as it stands in the file, for messages and decoding. */
export interface SourceValue {
  readonly type: number;
  readonly bytes: Buffer;
  readonly offset: number;
  readonly flavor: RdbFlavor;
}

/**
 * Hash fields with their TTLs for `target`: expired fields dropped; with no live TTL left a plain
 * hash (type 4, any server); otherwise the target's own hash-with-TTL type, or refused where the
 * server has none (it would keep the fields forever).
 */
function encodeHash(fields: readonly HashField[], target: TargetFormat, now: number, w: ByteWriter): number | null {
  const live = fields.filter((f) => f.expireAt === null || f.expireAt > now);
  if (!live.length) return null;
  const ttls = live.filter((f) => f.expireAt !== null);
  if (!ttls.length) {
    w.len(live.length);
    for (const f of live) w.string(f.field).string(f.value);
    return TYPE.HASH;
  }
  if (target.flavor === 'valkey' && target.rdbVersion >= VALKEY_RDB_VERSION) {
    w.len(live.length);
    for (const f of live) w.string(f.field).string(f.value).i64le(f.expireAt ?? -1);
    return VALKEY_HASH_2;
  }
  if (target.flavor === 'redis' && target.rdbVersion >= 12) {
    // HASH_METADATA: the smallest expiry, then per field ttl - min + 1 (0: none), field, value.
    const min = Math.min(...ttls.map((f) => f.expireAt!));
    w.i64le(min).len(live.length);
    for (const f of live) w.len(f.expireAt === null ? 0 : f.expireAt - min + 1).string(f.field).string(f.value);
    return TYPE.HASH_METADATA;
  }
  throw new RdbUnsupportedError(0, null, `its hash fields have TTLs, which ${target.label} cannot keep (it has no hash-field expiry)`);
}

/** The plain type of each kind: every server since Redis 2.x reads these (and re-encodes as it likes). */
function encodePlain(v: Exclude<DecodedValue, { kind: 'stream' }>, target: TargetFormat, now: number): Reencoded | null {
  const w = new ByteWriter();
  let type: number | null;
  if (v.kind === 'string') type = (w.string(v.value), TYPE.STRING);
  else if (v.kind === 'list' || v.kind === 'set') {
    const items = v.kind === 'list' ? v.items : v.members;
    w.len(items.length);
    for (const item of items) w.string(item);
    type = v.kind === 'list' ? TYPE.LIST : TYPE.SET;
  } else if (v.kind === 'zset') {
    // Binary scores since RDB 8 (and in every Valkey); text scores before.
    const binary = target.flavor === 'valkey' || target.rdbVersion >= 8;
    w.len(v.members.length);
    for (const m of v.members) {
      w.string(m.member);
      if (binary) w.doubleBinary(m.score);
      else w.doubleString(m.score);
    }
    type = binary ? TYPE.ZSET_2 : TYPE.ZSET;
  } else type = encodeHash(v.fields, target, now, w);
  return type === null ? null : { type, body: w.finish() };
}

/** A stream in the newest stream type the target reads, by leaving out what newer types added. */
function downgradeStream(src: SourceValue, target: TargetFormat): Reencoded {
  const toType = [TYPE.STREAM_LISTPACKS_3, TYPE.STREAM_LISTPACKS_2, TYPE.STREAM_LISTPACKS].find((t) => acceptsType(target, t, 'redis'));
  if (toType === undefined) throw new RdbUnsupportedError(src.offset, null, `${target.label} has no streams`);
  const writer = new ByteWriter();
  walkStream(new Cursor(src.bytes, 0, src.offset, false), src.type, { deep: false, decode: false, downgrade: { writer, toType } });
  return { type: toType, body: writer.finish() };
}

/**
 * The value re-encoded for a target that does not understand its type (a Redis 7.2 listpack set
 * into Redis 7.0, a Redis 7.4 hash with field TTLs into Valkey): decoded, then written in the plain
 * type of its kind, or for streams copied without the fields newer stream types added. Returns null
 * when nothing is left to write (every field of a hash expired).
 */
export function reencodeValue(src: SourceValue, target: TargetFormat, now: number): Reencoded | null {
  const info = typeInfo(src.type, src.flavor);
  if (info?.kind === 'stream') return downgradeStream(src, target);
  const v = decodeValue(src.type, src.bytes, src.offset, src.flavor);
  if (v.kind === 'stream') return downgradeStream(src, target);
  try {
    return encodePlain(v, target, now);
  } catch (error) {
    if (error instanceof RdbUnsupportedError) throw new RdbUnsupportedError(src.offset, null, error.reason);
    throw error;
  }
}
