/**
 * What the sync tests share: a source redis-server that can be restarted on its port with its data,
 * live writers of non-idempotent commands, the built CLI as a long-running child, and a key-by-key
 * comparison of a source with the cluster (type and value by canonical digest, TTL present or not).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { findFreePorts } from '../../scripts/lib/free-ports.js';
import { ensureRedisServer } from '../../scripts/lib/redis-binary.js';
import { readSlotMap } from '../../scripts/lib/sample-keys.js';
import { DIGEST_KEYS_LUA } from '../../src/redis/digest-script.js';
import { CLI, type LocalCluster } from './cluster.js';
import { waitFor } from './wait-for.js';

export interface SourceServer {
  readonly port: number;
  readonly addr: string;
  readonly dir: string;
  client(): Redis;
  /** SHUTDOWN (saving its data) and start again on the same port and directory. */
  restart(): Promise<void>;
  stop(): void;
}

function clientOf(port: number, password?: string): Redis {
  const c = new Redis({ host: '127.0.0.1', port, password, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
  c.on('error', () => {});
  return c;
}

/** A standalone source; diskless sync without its 5 s delay, unless `extra` says otherwise. */
export async function startSource(extra: readonly string[] = [], password?: string): Promise<SourceServer> {
  const [port] = await findFreePorts(1);
  const dir = mkdtempSync(join(tmpdir(), 'slotpilot-sync-source-'));
  let child: ChildProcess;
  const boot = async (): Promise<void> => {
    child = spawn(ensureRedisServer(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--repl-diskless-sync-delay', '0', ...extra], { stdio: 'ignore' });
    await waitFor(`redis-server on ${port}`, async () => {
      const c = clientOf(port!, password);
      try {
        await c.connect();
        // Ours, not another test's server on the port ours could not bind.
        return /process_id:(\d+)/.exec(await c.info('server'))?.[1] === String(child.pid);
      } finally {
        c.disconnect();
      }
    }, { timeoutMs: 10_000 });
  };
  await boot();
  return {
    port: port!,
    addr: `127.0.0.1:${port}`,
    dir,
    client: () => clientOf(port!, password),
    async restart() {
      const c = clientOf(port!, password);
      await c.connect();
      await c.call('SHUTDOWN', 'SAVE').catch(() => undefined);
      c.disconnect();
      await waitFor('the source to exit', () => child.exitCode !== null || child.signalCode !== null);
      await boot();
    },
    stop() {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WriterStats {
  readonly ops: number;
  readonly errors: number;
  readonly firstError: string | null;
}

/**
 * Writers of non-idempotent commands (INCR, RPUSH, HINCRBY, DEL, EXPIRE, MULTI/EXEC on one slot and
 * across slots), each round a pipeline, until stopped. A write that is applied twice or not at all
 * shows as a different value. `idempotent`: SET, HSET, DEL, PEXPIREAT only, for a test that kills
 * slotpilot (a SIGKILL may re-apply the last moment's commands: see docs/sync.md, Resume).
 */
export function startWriters(addr: string, opts: { readonly keys?: number; readonly password?: string; readonly idempotent?: boolean } = {}): { stop(): Promise<WriterStats>; ops(): number } {
  const port = Number(addr.split(':')[1]);
  const c = clientOf(port, opts.password);
  const keys = opts.keys ?? 200;
  let ops = 0;
  let errors = 0;
  let firstError: string | null = null;
  let running = true;
  const loop = (async () => {
    await c.connect();
    for (let round = 0; running; round++) {
      const n = round % keys;
      const p = c.pipeline();
      if (opts.idempotent) {
        // Writes whose stream, applied again from any point in order, ends in the same state.
        p.set(`i:s:${n}`, String(round));
        p.hset(`i:h:${n % 20}`, `f${n}`, String(round));
        if (round % 3 === 0) p.del(`i:s:${(n + 7) % keys}`);
        if (round % 5 === 0) p.pexpireat(`i:h:${n % 20}`, Date.now() + 3_600_000);
        const results = (await p.exec().catch((error: Error) => [[error, null]])) ?? [];
        for (const [error] of results) if (error) (errors++, (firstError ??= String(error)));
        ops += results.length;
        await new Promise((r) => setImmediate(r));
        continue;
      }
      p.incr(`w:c:${n}`);
      p.rpush(`w:l:${n}`, String(round));
      p.hincrby(`w:h:${n % 20}`, `f${n}`, 1);
      if (round % 3 === 0) p.set(`w:d:${n}`, String(round));
      if (round % 3 === 1) p.del(`w:d:${(n + keys - 1) % keys}`);
      if (round % 5 === 0) p.expire(`w:c:${n}`, 3600);
      const tx = [c.multi().incr(`{w:t}:${n % 10}`).rpush(`{w:t}:l`, String(round)).exec()];
      if (round % 7 === 0) tx.push(c.multi().incr(`w:x:${n}`).incr(`w:y:${n}`).exec());
      const fail = (error: Error): [Error, null][] => [[error, null]];
      const replies = await Promise.all([p.exec().catch(fail), ...tx.map((t) => t.catch(fail))]);
      const results = replies.flatMap((r) => r ?? []);
      for (const [error] of results) {
        if (error) {
          errors++;
          firstError ??= String((error as Error).message ?? error);
        }
      }
      ops += results.length;
      await new Promise((r) => setImmediate(r));
    }
  })();
  return {
    ops: () => ops,
    async stop() {
      running = false;
      await loop.catch((error: Error) => {
        errors++;
        firstError ??= error.message;
      });
      c.disconnect();
      return { ops, errors, firstError };
    },
  };
}

/** The CLI as a child process that keeps running: its output so far, and its end. */
export function spawnCli(args: readonly string[], env: Readonly<Record<string, string>> = {}): { child: ChildProcess; out: () => string; err: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, FORCE_COLOR: '0', SLOTPILOT_PASSWORD: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const done = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, done };
}

/**
 * Every key of the source (database 0) against the cluster: type and value (canonical digest, so
 * encodings may differ), TTL present on both or on neither, and no key in the cluster that the
 * source does not have. Returns the differences (empty when equal).
 */
export async function compareWithCluster(source: Redis, cluster: LocalCluster): Promise<string[]> {
  const problems: string[] = [];
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await source.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const seed = cluster.client(cluster.seed);
  const owners = await readSlotMap(seed).finally(() => seed.disconnect());
  const clients = new Map<string, Redis>();
  const masterAddrs = [...new Set(owners)];
  try {
    let clusterKeys = 0;
    for (const addr of masterAddrs) {
      const c = cluster.client(addr);
      clients.set(addr, c);
      clusterKeys += await c.dbsize();
    }
    if (clusterKeys !== keys.length) problems.push(`the cluster holds ${clusterKeys} keys, the source ${keys.length}`);
    for (let i = 0; i < keys.length; i += 500) {
      const part = keys.slice(i, i + 500);
      // EVAL_RO: a source paused for writes (a cut-over) still runs read-only scripts.
      const [digests, ttls] = await Promise.all([source.call('EVAL_RO', DIGEST_KEYS_LUA, part.length, ...part) as Promise<(string | null)[]>, Promise.all(part.map((k) => source.pttl(k)))]);
      await Promise.all(
        part.map(async (k, j) => {
          const owner = clients.get(owners[calculateSlot(k)]!)!;
          const [[theirs], pttl] = await Promise.all([owner.eval(DIGEST_KEYS_LUA, 1, k) as Promise<(string | null)[]>, owner.pttl(k)]);
          if (theirs !== digests[j]) problems.push(`${k}: ${theirs === null || theirs === undefined ? 'missing in the cluster' : 'another value in the cluster'}`);
          else if ((pttl > 0) !== (ttls[j]! > 0)) problems.push(`${k}: TTL ${ttls[j]} on the source, ${pttl} in the cluster`);
        }),
      );
    }
  } finally {
    for (const c of clients.values()) c.disconnect();
  }
  return problems;
}

/** `INFO stats` sync_full / sync_partial_ok of a source. */
export async function syncStats(source: Redis): Promise<{ full: number; partialOk: number }> {
  const text = await source.info('stats');
  const get = (k: string): number => Number(new RegExp(`${k}:(\\d+)`).exec(text)?.[1] ?? 0);
  return { full: get('sync_full'), partialOk: get('sync_partial_ok') };
}
