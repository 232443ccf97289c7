/**
 * A standalone redis-server configured with tiny encoding thresholds, loaded with a key of every
 * encoding Redis 7.0 writes, saved to an RDB; and a canonical reading of keys (type, value, TTL)
 * that compares a file's keys in the server that wrote it with the same keys in a cluster.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { plainValue } from './rdb-read.js';
import { startStandalone, type StandaloneRedis } from './standalone.js';
import type { DecodedValue } from '../../src/rdb/value-types.js';

/** Small thresholds so that every encoding appears with a handful of elements. */
export const SMALL_ENCODINGS = [
  '--hash-max-listpack-entries', '4', '--hash-max-listpack-value', '16',
  '--set-max-intset-entries', '4',
  '--zset-max-listpack-entries', '4', '--zset-max-listpack-value', '16',
  '--list-max-listpack-size', '4', '--list-compress-depth', '1',
  '--stream-node-max-entries', '3',
  '--enable-debug-command', 'yes',
];

export async function startSmallEncodingServer(): Promise<StandaloneRedis> {
  return startStandalone(SMALL_ENCODINGS);
}

const TTL = 3_600_000;

/** Write one key of each encoding (and a few with TTLs, and db 1). Returns the key names of db 0. */
export async function writeEveryEncoding(c: Redis): Promise<string[]> {
  await c.call('DEBUG', 'QUICKLIST-PACKED-THRESHOLD', '100');
  const p = c.pipeline();
  p.set('str:int', '12345').set('str:neg', '-7').set('str:big-int', '9007199254740993').set('str:raw', 'hello');
  p.set('str:lzf', 'abcdefgh'.repeat(200)).set('str:empty', '');
  p.set(Buffer.from([0xff, 0x00, 0x7b]), Buffer.from([0x00, 0xfe, 0x0a, 0x0d]));
  p.set('str:random', Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 131 + 7) % 251)));
  p.rpush('list:small', 'a', 'b', '3');
  p.rpush('list:quicklist', ...Array.from({ length: 30 }, (_, i) => `element-number-${i}-${'x'.repeat(i % 7)}`));
  p.rpush('list:plain', 'small', 'p'.repeat(300), 'after');
  p.sadd('set:intset', 1, 2, -3).sadd('set:intset64', 5000000000, -1);
  p.sadd('set:hashtable', ...Array.from({ length: 10 }, (_, i) => `member-${i}`));
  p.zadd('zset:listpack', 1, 'a', 2.5, 'b', -3, 'c');
  p.zadd('zset:skiplist', ...Array.from({ length: 10 }, (_, i) => [i / 3, `m${i}`]).flat(), 'inf', 'top', '-inf', 'bottom');
  p.hset('hash:listpack', { a: '1', b: 'two', c: '3' });
  p.hset('hash:hashtable', Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`field${i}`, `value${i}`])));
  p.hset('hash:longvalue', { short: 's', long: 'v'.repeat(40) });
  for (let i = 0; i < 8; i++) p.xadd('stream', `${1000 + i}-0`, 'f', `v${i}`, ...(i % 3 === 0 ? ['extra', `e${i}`] : []));
  p.xgroup('CREATE', 'stream', 'g1', '0').xgroup('CREATE', 'stream', 'g2', '$');
  p.xreadgroup('GROUP', 'g1', 'alice', 'COUNT', 3, 'STREAMS', 'stream', '>');
  p.xreadgroup('GROUP', 'g1', 'bob', 'COUNT', 2, 'STREAMS', 'stream', '>');
  p.xack('stream', 'g1', '1000-0').xdel('stream', '1004-0');
  p.set('ttl:string', 'x', 'PX', TTL).rpush('ttl:list', 'a').pexpire('ttl:list', TTL);
  p.hset('ttl:hash', 'f', 'v').pexpire('ttl:hash', TTL + 5000);
  p.select(1).set('db1:key', 'in db 1').select(0);
  const failed = ((await p.exec()) ?? []).find(([e]) => e);
  if (failed) throw failed[0];
  return ((await c.callBuffer('KEYS', '*')) as Buffer[]).map((k) => k.toString('latin1'));
}

/** SAVE and copy the dump out of the server's directory (which is removed when it stops). */
export async function saveRdb(server: StandaloneRedis, c: Redis, name = 'dump.rdb'): Promise<string> {
  await c.save();
  const dir = (await c.config('GET', 'dir')) as string[];
  const out = join(mkdtempSync(join(tmpdir(), 'slotpilot-rdb-')), name);
  copyFileSync(join(dir[1]!, 'dump.rdb'), out);
  return out;
}

const s = (b: Buffer): string => b.toString('latin1');

/** A key as a client reads it: type, value in a canonical form (sets and hashes sorted), and PTTL. */
export async function readCanonical(c: Redis, key: string): Promise<{ type: string; value: unknown; pttl: number }> {
  const k = Buffer.from(key, 'latin1');
  const type = String(await c.type(k));
  const pttl = await c.pttl(k);
  const buf = (...args: (string | Buffer | number)[]): Promise<unknown> => c.callBuffer(...(args as [string]));
  let value: unknown = null;
  if (type === 'string') value = s((await c.getBuffer(k))!);
  else if (type === 'list') value = ((await buf('LRANGE', k, 0, -1)) as Buffer[]).map(s);
  else if (type === 'set') value = ((await buf('SMEMBERS', k)) as Buffer[]).map(s).sort();
  else if (type === 'zset') {
    const flat = (await buf('ZRANGE', k, 0, -1, 'WITHSCORES')) as Buffer[];
    value = Array.from({ length: flat.length / 2 }, (_, i) => [s(flat[i * 2]!), Number(s(flat[i * 2 + 1]!).replace(/^(-?)inf$/, '$1Infinity'))]);
  } else if (type === 'hash') {
    const flat = (await buf('HGETALL', k)) as Buffer[];
    value = Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [s(flat[i * 2]!), s(flat[i * 2 + 1]!)]).sort());
  } else if (type === 'stream') {
    const entries = ((await buf('XRANGE', k, '-', '+')) as [Buffer, Buffer[]][]).map(([id, f]) => [s(id), f.map(s)]);
    const groups = [];
    for (const g of (await c.call('XINFO', 'GROUPS', key)) as unknown[][]) {
      const info = Object.fromEntries(Array.from({ length: g.length / 2 }, (_, i) => [String(g[i * 2]), g[i * 2 + 1]]));
      const pending = ((await c.call('XPENDING', key, String(info.name), '-', '+', '100')) as [string, string, number, number][]).map(([id, consumer, , count]) => [id, consumer, count]);
      const consumers = ((await c.call('XINFO', 'CONSUMERS', key, String(info.name))) as unknown[][]).map((x) => [String(x[1]), Number(x[3])]);
      groups.push({ name: info.name, lastId: info['last-delivered-id'], entriesRead: info['entries-read'], pending, consumers });
    }
    value = { entries, groups };
  }
  return { type, value, pttl };
}

/** Every listed key of the server, canonically read. */
export async function readAll(c: Redis, keys: readonly string[]): Promise<Record<string, { type: string; value: unknown; pttl: number }>> {
  const out: Record<string, { type: string; value: unknown; pttl: number }> = {};
  for (const k of keys) out[k] = await readCanonical(c, k);
  return out;
}

/** A decoded value in readCanonical's terms (streams: entries only), to compare the reader with the server. */
export function canonicalDecoded(v: DecodedValue): unknown {
  const plain = plainValue(v) as never;
  if (v.kind === 'set') return [...(plain as string[])].sort();
  if (v.kind === 'zset') return [...v.members].sort((a, b) => a.score - b.score || Buffer.compare(a.member, b.member)).map((m) => [s(m.member), m.score]);
  if (v.kind === 'hash') return Object.fromEntries(v.fields.map((f) => [s(f.field), s(f.value)]).sort());
  if (v.kind === 'string') return s(v.value);
  if (v.kind === 'list') return v.items.map(s);
  return { entries: v.stream.entries.map((e) => [e.id, e.fields.map(s)]) };
}
