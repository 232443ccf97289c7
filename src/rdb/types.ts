/**
 * RDB opcodes and value types, as Redis' rdb.h and Valkey's rdb.h number them. Type numbers are fixed
 * on disk; the version that introduced each one decides which servers can take it in a RESTORE.
 */

export const OPCODE = {
  /** Valkey 9: the state of a slot import (atomic slot migration). */
  SLOT_IMPORT: 243,
  /** Cluster mode: a slot id and its key counts (a sizing hint). */
  SLOT_INFO: 244,
  FUNCTION2: 245,
  /** Redis 7.0 release candidates only. */
  FUNCTION_PRE_GA: 246,
  MODULE_AUX: 247,
  IDLE: 248,
  FREQ: 249,
  AUX: 250,
  RESIZEDB: 251,
  EXPIRETIME_MS: 252,
  EXPIRETIME: 253,
  SELECTDB: 254,
  EOF: 255,
} as const;

export const TYPE = {
  STRING: 0,
  LIST: 1,
  SET: 2,
  ZSET: 3,
  HASH: 4,
  ZSET_2: 5,
  MODULE_PRE_GA: 6,
  MODULE_2: 7,
  HASH_ZIPMAP: 9,
  LIST_ZIPLIST: 10,
  SET_INTSET: 11,
  ZSET_ZIPLIST: 12,
  HASH_ZIPLIST: 13,
  LIST_QUICKLIST: 14,
  STREAM_LISTPACKS: 15,
  HASH_LISTPACK: 16,
  ZSET_LISTPACK: 17,
  LIST_QUICKLIST_2: 18,
  STREAM_LISTPACKS_2: 19,
  SET_LISTPACK: 20,
  STREAM_LISTPACKS_3: 21,
  /** Redis 7.4 release candidates (field TTLs absolute); in a Valkey file 22 is VALKEY_HASH_2. */
  HASH_METADATA_PRE_GA: 22,
  HASH_LISTPACK_EX_PRE_GA: 23,
  HASH_METADATA: 24,
  HASH_LISTPACK_EX: 25,
} as const;

/** Valkey 9's own hash with field expiry: the same number as Redis' pre-GA 22, another layout. */
export const VALKEY_HASH_2 = 22;

/** Which server family wrote the bytes: type 22 and opcode 243 mean different things in each. */
export type RdbFlavor = 'redis' | 'valkey';

/** The Redis type a value is (what TYPE answers). */
export type ValueKind = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream' | 'module';

export interface TypeInfo {
  readonly kind: ValueKind;
  /** How the value is encoded in the file, as inspect-rdb reports it. */
  readonly encoding: string;
  /** First RDB version that has this type (a server of an older version refuses it). */
  readonly since: number;
}

const REDIS_TYPES: Readonly<Record<number, TypeInfo>> = {
  0: { kind: 'string', encoding: 'string', since: 1 },
  1: { kind: 'list', encoding: 'linkedlist', since: 1 },
  2: { kind: 'set', encoding: 'hashtable', since: 1 },
  3: { kind: 'zset', encoding: 'skiplist', since: 1 },
  4: { kind: 'hash', encoding: 'hashtable', since: 1 },
  5: { kind: 'zset', encoding: 'skiplist (binary scores)', since: 8 },
  6: { kind: 'module', encoding: 'module (pre-GA)', since: 8 },
  7: { kind: 'module', encoding: 'module', since: 8 },
  9: { kind: 'hash', encoding: 'zipmap', since: 1 },
  10: { kind: 'list', encoding: 'ziplist', since: 1 },
  11: { kind: 'set', encoding: 'intset', since: 1 },
  12: { kind: 'zset', encoding: 'ziplist', since: 1 },
  13: { kind: 'hash', encoding: 'ziplist', since: 1 },
  14: { kind: 'list', encoding: 'quicklist (ziplists)', since: 7 },
  15: { kind: 'stream', encoding: 'stream v1', since: 9 },
  16: { kind: 'hash', encoding: 'listpack', since: 10 },
  17: { kind: 'zset', encoding: 'listpack', since: 10 },
  18: { kind: 'list', encoding: 'quicklist (listpacks)', since: 10 },
  19: { kind: 'stream', encoding: 'stream v2', since: 10 },
  20: { kind: 'set', encoding: 'listpack', since: 11 },
  21: { kind: 'stream', encoding: 'stream v3', since: 11 },
  22: { kind: 'hash', encoding: 'hashtable with field TTLs (pre-GA)', since: 12 },
  23: { kind: 'hash', encoding: 'listpack with field TTLs (pre-GA)', since: 12 },
  24: { kind: 'hash', encoding: 'hashtable with field TTLs', since: 12 },
  25: { kind: 'hash', encoding: 'listpack with field TTLs', since: 12 },
};

/** Valkey kept Redis' numbers up to 21 (RDB 11) and gave 22 its own meaning in RDB 80. */
const VALKEY_HASH_2_INFO: TypeInfo = { kind: 'hash', encoding: 'hashtable with field TTLs (Valkey)', since: 80 };

/** What a type byte means in a file of this flavour, or null for an unknown type. */
export function typeInfo(type: number, flavor: RdbFlavor): TypeInfo | null {
  if (flavor === 'valkey') {
    if (type === VALKEY_HASH_2) return VALKEY_HASH_2_INFO;
    if (type > TYPE.STREAM_LISTPACKS_3) return null;
  }
  return REDIS_TYPES[type] ?? null;
}

/** RDB versions this reader takes: Redis 2.6/2.8 (6) to 8.x (12), and Valkey 9's 80. */
export const MIN_RDB_VERSION = 6;
export const MAX_REDIS_RDB_VERSION = 12;
export const VALKEY_RDB_VERSION = 80;
