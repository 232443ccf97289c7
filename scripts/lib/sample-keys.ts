/**
 * Deterministic sample data: key `i` always has the same name, type, value and TTL, so a test can load
 * keys, move slots around and then check every key against what it must be.
 */
import calculateSlot from 'cluster-key-slot';
import { Redis, type ChainableCommander } from 'ioredis';

export interface LoadOptions {
  readonly count: number;
  /** `mixed`: strings, hashes, lists, sets, zsets, every fifth key with a TTL. `strings`: plain strings. */
  readonly kind?: 'mixed' | 'strings';
  /** Bytes per string value (strings kind). */
  readonly valueSize?: number;
  /** Key name prefix. */
  readonly prefix?: string;
  /** First key index (to add more keys later without overlap). */
  readonly start?: number;
}

export type SampleKey =
  | { readonly key: string; readonly type: 'string'; readonly value: string; readonly ttl: number | null }
  | { readonly key: string; readonly type: 'hash'; readonly value: Record<string, string>; readonly ttl: number | null }
  | { readonly key: string; readonly type: 'list'; readonly value: string[]; readonly ttl: number | null }
  | { readonly key: string; readonly type: 'set'; readonly value: string[]; readonly ttl: number | null }
  | { readonly key: string; readonly type: 'zset'; readonly value: Array<[string, number]>; readonly ttl: number | null };

/** The sample key number `i`. TTLs are seconds, long enough to outlive any test. */
export function sampleKey(i: number, opts: Omit<LoadOptions, 'count'> = {}): SampleKey {
  const key = `${opts.prefix ?? 'sp'}:${i}`;
  if (opts.kind === 'strings') {
    const head = `v${i}:`;
    return { key, type: 'string', value: head + 'x'.repeat(Math.max(0, (opts.valueSize ?? 100) - head.length)), ttl: null };
  }
  const ttl = i % 5 === 0 ? 3600 + (i % 100) : null;
  switch (i % 10) {
    case 6:
      return { key, type: 'hash', value: { a: `a${i}`, b: `b${i}`, n: String(i) }, ttl };
    case 7:
      return { key, type: 'list', value: [`l${i}`, 'x', `z${i}`], ttl };
    case 8:
      return { key, type: 'set', value: [`s${i}`, 'm', 'n'].sort(), ttl };
    case 9:
      return { key, type: 'zset', value: [[`z${i}`, 1], ['m', 2], ['n', i]], ttl };
    default:
      return { key, type: 'string', value: `value-${i}-${'x'.repeat(i % 32)}`, ttl };
  }
}

function writeKey(p: ChainableCommander, k: SampleKey): void {
  switch (k.type) {
    case 'string':
      if (k.ttl) p.set(k.key, k.value, 'EX', k.ttl);
      else p.set(k.key, k.value);
      return;
    case 'hash':
      p.hset(k.key, k.value);
      break;
    case 'list':
      p.rpush(k.key, ...k.value);
      break;
    case 'set':
      p.sadd(k.key, ...k.value);
      break;
    case 'zset':
      p.zadd(k.key, ...k.value.flatMap(([m, s]) => [s, m]));
      break;
  }
  if (k.ttl) p.expire(k.key, k.ttl);
}

/** slot → `host:port` of its owner, from `CLUSTER SLOTS` of one node. */
export async function readSlotMap(client: Redis): Promise<string[]> {
  const owners = new Array<string>(16384).fill('');
  const ranges = (await client.call('CLUSTER', 'SLOTS')) as Array<[number, number, [string, number, ...unknown[]]]>;
  for (const [start, end, [host, port]] of ranges) {
    for (let s = start; s <= end; s++) owners[s] = `${host}:${port}`;
  }
  return owners;
}

/** PEM material for TLS clusters (the harness's client certificate). */
export interface SampleTls {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

function clientFor(addr: string, password: string | undefined, tls?: SampleTls): Redis {
  const [host, port] = [addr.slice(0, addr.lastIndexOf(':')), Number(addr.slice(addr.lastIndexOf(':') + 1))];
  const c = new Redis({ host, port, password, tls, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  c.on('error', () => {});
  return c;
}

/** Group key indexes by owner, in chunks, and run `fn` for each chunk on the owner's connection. */
async function forEachOwnerChunk(
  seeds: readonly string[],
  indexes: Iterable<number>,
  opts: Omit<LoadOptions, 'count'>,
  password: string | undefined,
  fn: (client: Redis, keys: SampleKey[]) => Promise<void>,
  tls?: SampleTls,
): Promise<void> {
  const seedClient = clientFor(seeds[0]!, password, tls);
  const owners = await readSlotMap(seedClient).finally(() => seedClient.disconnect());
  const clients = new Map<string, Redis>();
  const pending = new Map<string, SampleKey[]>();
  const running: Promise<void>[] = [];
  const flush = (addr: string): void => {
    const keys = pending.get(addr);
    if (!keys?.length) return;
    pending.set(addr, []);
    let client = clients.get(addr);
    if (!client) clients.set(addr, (client = clientFor(addr, password, tls)));
    running.push(fn(client, keys));
  };
  try {
    for (const i of indexes) {
      const k = sampleKey(i, opts);
      const owner = owners[calculateSlot(k.key)]!;
      const list = pending.get(owner) ?? [];
      list.push(k);
      pending.set(owner, list);
      if (list.length >= 5000) flush(owner);
      if (running.length >= 16) await Promise.all(running.splice(0));
    }
    for (const addr of [...pending.keys()]) flush(addr);
    await Promise.all(running);
  } finally {
    for (const c of clients.values()) c.disconnect();
  }
}

function range(start: number, count: number): Iterable<number> {
  return { *[Symbol.iterator]() { for (let i = start; i < start + count; i++) yield i; } };
}

/** Write `count` sample keys to the masters that own their slots (pipelined per owner). */
export async function loadSampleKeys(seeds: readonly string[], opts: LoadOptions, password?: string, tls?: SampleTls): Promise<void> {
  await forEachOwnerChunk(seeds, range(opts.start ?? 0, opts.count), opts, password, async (client, keys) => {
    const p = client.pipeline();
    for (const k of keys) writeKey(p, k);
    const results = (await p.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
  }, tls);
}

/** A key that is not as it must be. */
export interface KeyMismatch {
  readonly key: string;
  readonly problem: string;
}

/**
 * What is wrong with a key as read back, or null. `ttlSlackSec`: how far its TTL may have counted
 * down since it was loaded (the time between load and check).
 */
export function sampleKeyProblem(k: SampleKey, type: string, value: unknown, ttl: number, ttlSlackSec = 120): string | null {
  if (type === 'none') return 'missing';
  if (type !== k.type) return `type ${type}, expected ${k.type}`;
  let same: boolean;
  if (k.type === 'hash') same = JSON.stringify(value) === JSON.stringify(k.value);
  else if (k.type === 'set') same = JSON.stringify([...(value as string[])].sort()) === JSON.stringify(k.value);
  else if (k.type === 'zset') same = JSON.stringify(value) === JSON.stringify(k.value.flatMap(([m, s]) => [m, String(s)]));
  else same = JSON.stringify(value) === JSON.stringify(k.value);
  if (!same) return 'value differs';
  if (k.ttl === null && ttl !== -1) return `ttl ${ttl}, expected none`;
  if (k.ttl !== null && (ttl < k.ttl - ttlSlackSec || ttl > k.ttl)) return `ttl ${ttl}, expected about ${k.ttl}`;
  return null;
}

/** Type, value and TTL of each key, read in one pipeline from the node that owns them. */
export async function readSampleKeys(client: Redis, keys: readonly SampleKey[]): Promise<{ type: string; value: unknown; ttl: number }[]> {
  const p = client.pipeline();
  for (const k of keys) {
    p.type(k.key);
    if (k.type === 'string') p.get(k.key);
    else if (k.type === 'hash') p.hgetall(k.key);
    else if (k.type === 'list') p.lrange(k.key, 0, -1);
    else if (k.type === 'set') p.smembers(k.key);
    else p.zrange(k.key, 0, -1, 'WITHSCORES');
    p.ttl(k.key);
  }
  const results = (await p.exec()) ?? [];
  return keys.map((_, n) => {
    const [type, value, ttl] = results.slice(n * 3, n * 3 + 3).map(([err, v]) => (err ? null : v));
    return { type: String(type), value, ttl: Number(ttl) };
  });
}

/**
 * Read every sample key from its current owner and compare type, value and TTL. Returns the
 * mismatches (empty when all is well). Reads go to the owner per `CLUSTER SLOTS`, so run it when no
 * slot is moving.
 */
export async function verifySampleKeys(seeds: readonly string[], opts: LoadOptions, password?: string, tls?: SampleTls): Promise<KeyMismatch[]> {
  const problems: KeyMismatch[] = [];
  await forEachOwnerChunk(seeds, range(opts.start ?? 0, opts.count), opts, password, async (client, keys) => {
    const read = await readSampleKeys(client, keys);
    keys.forEach((k, n) => {
      // A little slack: the test itself takes time between load and check.
      const problem = sampleKeyProblem(k, read[n]!.type, read[n]!.value, read[n]!.ttl);
      if (problem) problems.push({ key: k.key, problem });
    });
  }, tls);
  return problems;
}
