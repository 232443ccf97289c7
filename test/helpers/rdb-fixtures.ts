/**
 * Handcrafted RDB files (rdb-builder.ts) for the encodings and opcodes Redis 7.0 cannot write, with
 * the values each key must read back as. `old` files (RDB ≤ 10) are ones a redis-server 7.0 loads too.
 */
import { dblStr, f64le, i64le, intset, intStr, len, listpack, lzfStr, moduleId, RdbFile, str, u32le, ziplist, zipmap } from './rdb-builder.js';

export interface Fixture {
  readonly name: string;
  readonly file: Buffer;
  /** key → value as plainValue() gives it. */
  readonly values: Readonly<Record<string, unknown>>;
  /** key → absolute expiry in ms. */
  readonly expiries: Readonly<Record<string, number>>;
  /** A redis-server 7.0 can load this file (RDB ≤ 10, no module). */
  readonly old: boolean;
}

const FAR = 4_102_444_800_000; // 2100-01-01: far enough to outlive any test

/** RDB 6 (Redis 2.6/2.8): zipmap hash, ziplist list/hash/zset, intset, text scores, seconds expiry (2033: int32), LZF. */
export function ziplistEraFixture(): Fixture {
  const long = 'lorem ipsum '.repeat(30);
  const file = new RdbFile(6)
    .selectDb(0)
    .key(9, 'h:zipmap', str(zipmap([['name', 'ada'], ['lang', 'c']])))
    .key(10, 'l:ziplist', str(ziplist(['a', 12, -5, 70000, 'tail'])))
    .key(13, 'h:ziplist', str(ziplist(['f1', 'v1', 'n', 42])))
    .key(12, 'z:ziplist', str(ziplist(['m3', -7, 'm1', 1, 'm2', '2.5'])))
    .key(11, 's:intset', str(intset(4, [3, -100000, 99])))
    .key(3, 'z:skiplist', Buffer.concat([len(3), str('a'), dblStr(1.5), str('b'), dblStr(-Infinity), str('c'), dblStr(1e21)]))
    .key(0, 'str:int', intStr(-32000), { expireAtSec: 2_000_000_000 })
    .key(0, 'str:lzf', lzfStr(Buffer.from(long + 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')))
    .key(1, 'l:linked', Buffer.concat([len(2), str('x'), intStr(300)]))
    .key(2, 's:plain', Buffer.concat([len(2), str('m'), str('n')]))
    .key(4, 'h:plain', Buffer.concat([len(1), str('k'), str('v')]), { expireAtMs: FAR })
    .end();
  return {
    name: 'RDB 6: zipmap, ziplists, intset, text scores',
    file,
    old: true,
    expiries: { 'str:int': 2_000_000_000_000, 'h:plain': FAR },
    values: {
      'h:zipmap': { name: 'ada', lang: 'c' },
      'l:ziplist': ['a', '12', '-5', '70000', 'tail'],
      'h:ziplist': { f1: 'v1', n: '42' },
      'z:ziplist': [['m3', -7], ['m1', 1], ['m2', 2.5]],
      's:intset': ['-100000', '3', '99'],
      'z:skiplist': [['a', 1.5], ['b', -Infinity], ['c', 1e21]],
      'str:int': '-32000',
      'str:lzf': long + 'a'.repeat(56),
      'l:linked': ['x', '300'],
      's:plain': ['m', 'n'],
      'h:plain': { k: 'v' },
    },
  };
}

/** RDB 8 (Redis 4.0): quicklist of ziplists, binary scores, LRU idle and LFU freq, AUX fields. */
export function quicklistEraFixture(): Fixture {
  const file = new RdbFile(8)
    .aux('redis-ver', '4.0.14')
    .aux('ctime', '1600000000')
    .selectDb(0, 3, 1)
    .key(14, 'l:quicklist', Buffer.concat([len(2), str(ziplist(['a', 'b'])), str(ziplist([1, 2, 'c']))]), { idle: 55 })
    .key(5, 'z:binary', Buffer.concat([len(2), str('lo'), f64le(-0.25), str('hi'), f64le(1 / 3)]), { freq: 7 })
    .key(0, 'expiring', str('soon'), { expireAtMs: FAR })
    .selectDb(3)
    .key(0, 'db3:key', str('in db 3'))
    .end();
  return {
    name: 'RDB 8: quicklist of ziplists, binary scores, idle/freq, two databases',
    file,
    old: true,
    expiries: { expiring: FAR },
    values: { 'l:quicklist': ['a', 'b', '1', '2', 'c'], 'z:binary': [['lo', -0.25], ['hi', 1 / 3]], expiring: 'soon', 'db3:key': 'in db 3' },
  };
}

/** A stream node: master id and the listpack of its entries (all with the master's fields). */
function streamNode(ms: number, entries: readonly [number, string, string][]): Buffer {
  const master = Buffer.alloc(16);
  master.writeBigUInt64BE(BigInt(ms), 0);
  const items: (string | number)[] = [entries.length, 0, 2, 'f', 'g', 0];
  for (const [dms, f, g] of entries) items.push(2, dms, 0, f, g, 5);
  return Buffer.concat([str(master), str(listpack(items))]);
}

/** A type-21 stream: two entries, one group with one pending entry owned by one consumer. */
function streamV3(): Buffer {
  const id = Buffer.alloc(16);
  id.writeBigUInt64BE(1000n, 0);
  return Buffer.concat([
    len(1), streamNode(1000, [[0, 'a', 'b'], [1, 'c', 'd']]),
    len(2), len(1001), len(0), // length, last id
    len(1000), len(0), len(0), len(0), len(2), // first id, max deleted id, entries added
    len(1), str('grp'), len(1000), len(0), len(1), // group grp, last delivered 1000-0, entries read 1
    len(1), id, i64le(1700000000000), len(1), // PEL: 1000-0 delivered once
    len(1), str('alice'), i64le(1700000000000), i64le(1700000000001), len(1), id, // consumer alice owns it
  ]);
}

export const STREAM_V3_VALUE = {
  entries: [['1000-0', ['f', 'a', 'g', 'b']], ['1001-0', ['f', 'c', 'g', 'd']]],
  length: 2,
  lastId: '1001-0',
  groups: [{ name: 'grp', lastId: '1000-0', pending: 1, consumers: ['alice'] }],
};

/** RDB 11 (Redis 7.2): listpack sets (type 20), stream v3 (type 21), a function library. */
export function rdb11Fixture(): Fixture {
  const file = new RdbFile(11)
    .aux('redis-ver', '7.2.4')
    .raw(Buffer.from([245]), str("#!lua name=mylib\nredis.register_function('f', function() return 1 end)"))
    .selectDb(0)
    .key(20, 's:listpack', str(listpack(['apple', 'pear', 7])))
    .key(20, 's:listpack:ints', str(listpack([1, 2, 3])), { expireAtMs: FAR })
    .key(21, 'stream:v3', streamV3())
    .key(16, 'h:listpack', str(listpack(['a', '1', 'b', 'two'])))
    .end();
  return {
    name: 'RDB 11: listpack sets, stream v3, FUNCTION2',
    file,
    old: false,
    expiries: { 's:listpack:ints': FAR },
    values: { 's:listpack': ['7', 'apple', 'pear'], 's:listpack:ints': ['1', '2', '3'], 'stream:v3': STREAM_V3_VALUE, 'h:listpack': { a: '1', b: 'two' } },
  };
}

/**
 * RDB 12 (Redis 7.4 / 8): hashes with field TTLs in both layouts, one field TTL live and one past,
 * one hash whose only TTL'd field is gone, SLOT_INFO.
 */
export function rdb12Fixture(past: number): Fixture {
  const min = FAR;
  const file = new RdbFile(12)
    .aux('redis-ver', '8.0.2')
    .selectDb(0)
    .raw(Buffer.from([244]), len(866), len(2), len(0))
    // HASH_LISTPACK_EX: min expiry, then field, value, ttl (0 none).
    .key(25, 'h:lpex:live', Buffer.concat([i64le(min), str(listpack(['keep', 'v', 0, 'ttl', 'w', FAR]))]))
    .key(25, 'h:lpex:expired-field', Buffer.concat([i64le(past), str(listpack(['keep', 'v', 0, 'gone', 'x', past]))]))
    // HASH_METADATA: min expiry, count, then per field ttl-min+1 (0 none), field, value.
    .key(24, 'h:meta', Buffer.concat([i64le(min), len(2), len(1), str('ttl'), str('a'), len(0), str('plain'), str('b')]))
    .key(0, 'plain', str('p'))
    .end();
  return {
    name: 'RDB 12: hash field expiry (listpack and hashtable), SLOT_INFO',
    file,
    old: false,
    expiries: {},
    values: {
      'h:lpex:live': { keep: 'v', ttl: ['w', FAR] },
      'h:lpex:expired-field': { keep: 'v', gone: ['x', past] },
      'h:meta': { ttl: ['a', FAR], plain: 'b' },
      plain: 'p',
    },
  };
}

/** A module-2 value and a module AUX section: readable, not importable. */
export function moduleFixture(): Buffer {
  const id = moduleId('ReJSON-RL', 3);
  const value = Buffer.concat([len(id), len(5), str('{"a":1}'), len(2), len(7), len(0)]);
  return new RdbFile(9)
    .raw(Buffer.from([247]), len(id), len(2), len(2), len(5), str('aux'), len(0))
    .selectDb(0)
    .key(0, 'ok', str('fine'))
    .key(7, 'json:1', value)
    .end();
}

export { FAR, u32le };
