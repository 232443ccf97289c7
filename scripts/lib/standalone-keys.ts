/**
 * The sample keys of sample-keys.ts written to one standalone Redis (no slot routing): the source of
 * `slotpilot import` in tests and the import benchmark.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type ChainableCommander } from 'ioredis';
import { findFreePorts } from './free-ports.js';
import { ensureRedisServer } from './redis-binary.js';
import { sampleKey, type LoadOptions, type SampleKey } from './sample-keys.js';

/** Queue the commands that create `k` (sample-keys.ts keeps its own writer private). */
function writeKey(p: ChainableCommander, k: SampleKey): void {
  if (k.type === 'string') p.set(k.key, k.value);
  else if (k.type === 'hash') p.hset(k.key, k.value);
  else if (k.type === 'list') p.rpush(k.key, ...k.value);
  else if (k.type === 'set') p.sadd(k.key, ...k.value);
  else p.zadd(k.key, ...k.value.flatMap(([m, s]) => [s, m]));
  if (k.ttl) p.expire(k.key, k.ttl);
}

/** Write `count` sample keys into database `db` of the Redis at `addr`, pipelined in chunks. */
export async function loadStandaloneKeys(addr: string, opts: LoadOptions, db = 0, password?: string): Promise<void> {
  const colon = addr.lastIndexOf(':');
  const client = new Redis({ host: addr.slice(0, colon), port: Number(addr.slice(colon + 1)), db, password, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  client.on('error', () => {});
  try {
    await client.connect();
    const start = opts.start ?? 0;
    const chunk = 5000;
    const running: Promise<unknown>[] = [];
    for (let from = start; from < start + opts.count; from += chunk) {
      const p = client.pipeline();
      for (let i = from; i < Math.min(from + chunk, start + opts.count); i++) writeKey(p, sampleKey(i, opts));
      running.push(
        p.exec().then((results) => {
          const failed = (results ?? []).find(([err]) => err);
          if (failed) throw failed[0];
        }),
      );
      if (running.length >= 4) await Promise.all(running.splice(0));
    }
    await Promise.all(running);
  } finally {
    client.disconnect();
  }
}

/** A plain (non-cluster) redis-server on a free loopback port, for the import benchmark. */
export interface StandaloneServer {
  readonly addr: string;
  /** Its working directory (dump.rdb, redis.log). */
  readonly dir: string;
  /** Seconds the server says it took to load `rdbFile` ("DB loaded from disk"), when one was given. */
  readonly loadSeconds: number | null;
  stop(): void;
}

/** `rdbFile`: start from that RDB (copied in as dump.rdb); the server answers once it has loaded it. */
export async function startStandaloneServer(opts: { readonly rdbFile?: string } = {}): Promise<StandaloneServer> {
  const [port] = await findFreePorts(1);
  const dir = mkdtempSync(join(tmpdir(), 'slotpilot-source-'));
  if (opts.rdbFile) copyFileSync(opts.rdbFile, join(dir, 'dump.rdb'));
  const child = spawn(ensureRedisServer(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', join(dir, 'redis.log')], { stdio: 'ignore' });
  const stop = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  // Loading a large RDB takes a while; the server answers LOADING (an error) until it is done.
  const deadline = Date.now() + (opts.rdbFile ? 300_000 : 10_000);
  for (;;) {
    const c = new Redis({ host: '127.0.0.1', port: port!, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
    c.on('error', () => {});
    try {
      await c.connect();
      await c.ping();
      break;
    } catch (error) {
      if (Date.now() > deadline) {
        stop();
        throw error;
      }
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      c.disconnect();
    }
  }
  const loaded = opts.rdbFile ? /DB loaded from disk: ([\d.]+) seconds/.exec(readFileSync(join(dir, 'redis.log'), 'utf8')) : null;
  return { addr: `127.0.0.1:${port}`, dir, loadSeconds: loaded ? Number(loaded[1]) : null, stop };
}
