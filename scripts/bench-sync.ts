/**
 * `npm run bench:sync [-- --keys 1000000 --masters 3 --rate 20000 --lag-seconds 20]`
 *
 * Live migration against its floor, in the same run, on the same source: a standalone redis-server
 * holding K mixed-type sample keys (strings, hashes, lists, sets, zsets; every fifth with a TTL).
 * 1. the floor: a native `redis-server --replicaof` full sync of the source (start → link up and
 *    loaded, from its INFO replication);
 * 2. `slotpilot import --copy` of the source into a fresh N-master cluster (wall time, every key checked);
 * 3. `slotpilot sync --exit-when-synced` into another fresh cluster (wall time until in sync, every
 *    key checked, its T_save / T_transfer / T_load);
 * 4. on that cluster, `slotpilot sync` resumed from the journal (a partial resync) while a paced
 *    writer sends `--rate` writes/s to the source: lag p50/p99 measured from outside (a probe
 *    `SET` then `WAIT 1` on the source every 20 ms: WAIT returns once slotpilot ACKs an applied
 *    offset, i.e. once the write is in the cluster), slotpilot's own T_execute, and the writer's keys
 *    compared with the cluster after it stopped (lost writes).
 * The load average is printed next to the figures: the machine is shared.
 */
import { spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { startCluster, type LocalCluster } from './lib/local-cluster.js';
import { measureRun } from './lib/measure-run.js';
import { loadStandaloneKeys, startStandaloneServer } from './lib/standalone-keys.js';
import { benchClient, verifyAllSampleKeys } from './lib/verify-all-keys.js';
import { findFreePorts } from './lib/free-ports.js';
import { ensureRedisServer } from './lib/redis-binary.js';

const args = await yargs(hideBin(process.argv))
  .option('keys', { type: 'number', default: 1_000_000 })
  .option('masters', { type: 'number', default: 3 })
  .option('rate', { type: 'number', default: 20_000, describe: 'Writes per second to the source during the lag phase' })
  .option('lag-seconds', { type: 'number', default: 20 })
  .option('output', { type: 'string', default: 'bench-sync-results.json' })
  .strict()
  .parseAsync();

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const cleanups = new Set<() => unknown>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void Promise.all([...cleanups].map((c) => c())).finally(() => process.exit(130)));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const dbsize = async (addr: string): Promise<number> => {
  const c = benchClient(addr);
  return c.dbsize().finally(() => c.disconnect());
};
const clusterKeys = async (c: LocalCluster): Promise<number> => (await Promise.all(c.nodes.filter((n) => n.role === 'master').map((n) => dbsize(n.addr)))).reduce((a, b) => a + b, 0);

/** A fresh cluster for one tool, stopped afterwards (or on Ctrl-C). */
async function withCluster<T>(fn: (c: LocalCluster) => Promise<T>): Promise<T> {
  const cluster = await startCluster({ masters: args.masters });
  const stop = (): Promise<void> => cluster.stop();
  cleanups.add(stop);
  try {
    await cluster.waitUntilStable();
    return await fn(cluster);
  } finally {
    cleanups.delete(stop);
    await cluster.stop();
  }
}

/** The floor: a redis-server replica's full sync, from its start until its link is up and it loaded. */
async function nativeReplica(source: string): Promise<number> {
  const [port] = await findFreePorts(1);
  const started = performance.now();
  const child = spawn(ensureRedisServer(), ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--replicaof', ...source.split(':')], { stdio: 'ignore' });
  cleanups.add(() => child.kill('SIGKILL'));
  try {
    for (;;) {
      const c = benchClient(`127.0.0.1:${port}`);
      const info = await c.info('replication').catch(() => '').finally(() => c.disconnect());
      if (/master_link_status:up/.test(info) && /master_sync_in_progress:0/.test(info)) return (performance.now() - started) / 1000;
      await sleep(20);
    }
  } finally {
    child.kill('SIGKILL');
  }
}

/** The sync's NDJSON: its end summary. */
function summaryOf(out: string): { sources: { times: Record<string, number | null> | null; executeP50Ms: number | null; executeP99Ms: number | null; requestMs: number | null }[] } | null {
  // measureRun keeps the output's tail: the last line is the end event.
  const line = out.split('\n').find((l) => l.startsWith('{"type":"sync-end"'));
  return line ? (JSON.parse(line) as { summary: NonNullable<ReturnType<typeof summaryOf>> }).summary : null;
}

/** Writes at `rate`/s (INCR of 10,000 counters, RPUSH of 1,000 lists) until stopped, and probes of the lag with SET + WAIT 1. */
async function lagPhase(source: string, seconds: number): Promise<{ writes: number; errors: number; probes: number[] }> {
  const w = benchClient(source);
  const probe = benchClient(source);
  await Promise.all([w.connect(), probe.connect()]);
  let writes = 0;
  let errors = 0;
  const probes: number[] = [];
  const until = performance.now() + seconds * 1000;
  const writer = (async () => {
    const tickMs = 10;
    const perTick = Math.max(1, Math.round((args.rate * tickMs) / 1000));
    for (let next = performance.now(); next < until; next += tickMs) {
      const p = w.pipeline();
      for (let i = 0; i < perTick; i++, writes++) {
        if (writes % 10 === 0) p.rpush(`lag:l:${writes % 1000}`, String(writes));
        else p.incr(`lag:c:${writes % 10_000}`);
      }
      const r = (await p.exec()) ?? [];
      errors += r.filter(([e]) => e).length;
      const wait = next + tickMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
  })();
  const prober = (async () => {
    for (let i = 0; performance.now() < until; i++) {
      await probe.set(`lag:probe:${i % 100}`, String(i));
      const t0 = performance.now();
      const acked = Number(await probe.call('WAIT', '1', '5000'));
      if (acked >= 1) probes.push(performance.now() - t0);
      await sleep(20);
    }
  })();
  await Promise.all([writer, prober]);
  w.disconnect();
  probe.disconnect();
  return { writes, errors, probes };
}

const pct = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? NaN;
};

const source = await startStandaloneServer();
cleanups.add(() => source.stop());
const result: Record<string, unknown> = { at: new Date().toISOString(), keys: args.keys, masters: args.masters, rate: args.rate };
try {
  const s = benchClient(source.addr);
  await s.connect();
  await s.config('SET', 'repl-diskless-sync-delay', '0');
  const loadStarted = performance.now();
  await loadStandaloneKeys(source.addr, { count: args.keys });
  const loadedAt = loadStarted + performance.timeOrigin;
  process.stderr.write(`(source loaded: ${args.keys} keys in ${((performance.now() - loadStarted) / 1000).toFixed(1)} s; repl-diskless-sync ${String(((await s.config('GET', 'repl-diskless-sync')) as string[])[1])}) `);

  process.stderr.write('native replica … ');
  const native = await nativeReplica(source.addr);
  process.stderr.write(`${native.toFixed(2)} s\nimport --copy … `);
  const imp = await withCluster(async (c) => {
    const r = await measureRun(process.execPath, [CLI, 'import', '--seed', c.seed, '--from', source.addr, '--copy', '--yes', '--journal', `${c.dir}/import.ndjson`]);
    return { seconds: r.ms / 1000, code: r.code, rssMb: Math.round(r.rssKb / 1024), keys: await clusterKeys(c), bad: await verifyAllSampleKeys(c.seed, args.keys, loadedAt) };
  });
  process.stderr.write(`${imp.seconds.toFixed(2)} s\nsync … `);
  const sync = await withCluster(async (c) => {
    const journal = `${c.dir}/sync.ndjson`;
    const r = await measureRun(process.execPath, [CLI, 'sync', '--seed', c.seed, '--from', source.addr, '--exit-when-synced', '--yes', '--json', '--journal', journal]);
    const first = { seconds: r.ms / 1000, code: r.code, rssMb: Math.round(r.rssKb / 1024), keys: await clusterKeys(c), bad: await verifyAllSampleKeys(c.seed, args.keys, loadedAt), summary: summaryOf(r.out) };
    process.stderr.write(`${first.seconds.toFixed(2)} s\nlag phase (${args.rate} writes/s for ${args.lagSeconds} s) … `);
    // The stream phase: resume from the journal (partial resync) and keep applying while writes come in.
    const out: string[] = [];
    const child = spawn(process.execPath, [CLI, 'sync', '--seed', c.seed, '--from', source.addr, '--yes', '--json', '--journal', journal], { stdio: ['ignore', 'pipe', 'pipe'] });
    cleanups.add(() => child.kill('SIGKILL'));
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      buffered += d;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      out.push(...lines.filter((l) => /"type":"(synced|sync-end|psync|stopping)"/.test(l)));
    });
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    for (let i = 0; i < 600 && !out.some((l) => l.includes('"synced"')); i++) await sleep(50);
    const lag = await lagPhase(source.addr, args.lagSeconds);
    // Stop once the writes are all applied: the writer's keys must then equal the source's.
    const deadline = Date.now() + 30_000;
    let lost = -1;
    while (Date.now() < deadline) {
      lost = await lostWrites(s, c);
      if (lost === 0) break;
      await sleep(200);
    }
    child.kill('SIGTERM');
    await closed;
    const end = out.map((l) => JSON.parse(l) as { type: string; kind?: string; summary?: unknown }).find((e) => e.type === 'sync-end');
    const psync = out.map((l) => JSON.parse(l) as { type: string; kind?: string }).find((e) => e.type === 'psync');
    return { first, lag: { writes: lag.writes, writerErrors: lag.errors, probes: lag.probes.length, p50Ms: pct(lag.probes, 0.5), p99Ms: pct(lag.probes, 0.99), maxMs: Math.max(...lag.probes), lostWrites: lost, resumedBy: psync?.kind ?? null, summary: end?.summary ?? null } };
  });
  s.disconnect();
  Object.assign(result, { nativeReplicaSeconds: native, import: imp, sync: sync.first, lag: sync.lag, loadavg: loadavg() });
  const ratio = sync.first.seconds / native;
  const t = sync.first.summary?.sources[0]?.times;
  const f = (n: number | null | undefined, d = 2): string => (n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(d));
  console.log(`\n${args.keys} mixed-type keys (1 in 5 with a TTL), standalone redis-server → ${args.masters} masters; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log('what                                  seconds  keys in target  mismatches  RSS MB');
  console.log(`redis-server --replicaof (floor)     ${f(native).padStart(8)}  ${String(args.keys).padStart(14)}           -       -`);
  console.log(`slotpilot import --copy              ${f(imp.seconds).padStart(8)}  ${String(imp.keys).padStart(14)}  ${String(imp.bad).padStart(10)}  ${String(imp.rssMb).padStart(6)}`);
  console.log(`slotpilot sync --exit-when-synced    ${f(sync.first.seconds).padStart(8)}  ${String(sync.first.keys).padStart(14)}  ${String(sync.first.bad).padStart(10)}  ${String(sync.first.rssMb).padStart(6)}`);
  console.log(`\nsync until in sync: ${ratio.toFixed(2)}× the native replica's full sync (goal ≤ 1.5×); ${(imp.seconds / sync.first.seconds).toFixed(2)}× faster than import --copy`);
  if (t) console.log(`sync phases: T_save ${f(t.saveSec)} s, T_transfer ${f(t.transferSec)} s, T_load ${f(t.loadSec)} s after the transfer, replay ${f(t.replaySec)} s`);
  const L = sync.lag;
  console.log(`stream at ${args.rate} writes/s for ${args.lagSeconds} s (${L.resumedBy ?? '?'} resync): ${L.writes} writes, ${L.writerErrors} writer errors; lag (SET → WAIT 1 on the source, ${L.probes} probes) p50 ${f(L.p50Ms)} ms, p99 ${f(L.p99Ms)} ms, max ${f(L.maxMs)} ms (goal p99 ≤ 50 ms); lost writes ${L.lostWrites}`);
  writeFileSync(args.output, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`results written to ${args.output}`);
  if (imp.bad || sync.first.bad || sync.first.code !== 0 || imp.code !== 0 || L.lostWrites !== 0) process.exitCode = 1;
} finally {
  source.stop();
  rmSync(source.dir, { recursive: true, force: true });
}

/** Writer keys (`lag:*` counters and lists) that differ between the source and the cluster. */
async function lostWrites(src: ReturnType<typeof benchClient>, c: LocalCluster): Promise<number> {
  const seed = benchClient(c.seed);
  const { readSlotMap } = await import('./lib/sample-keys.js');
  const { default: slotOf } = await import('cluster-key-slot');
  const owners = await readSlotMap(seed).finally(() => seed.disconnect());
  const clients = new Map<string, ReturnType<typeof benchClient>>();
  let bad = 0;
  try {
    const keys = [...Array.from({ length: 10_000 }, (_, i) => `lag:c:${i}`), ...Array.from({ length: 1000 }, (_, i) => `lag:l:${i}`)];
    const srcVals = await Promise.all(keys.map((k) => (k.startsWith('lag:l:') ? src.llen(k) : src.get(k))));
    await Promise.all(
      keys.map(async (k, i) => {
        const owner = owners[slotOf(k)]!;
        if (!clients.has(owner)) clients.set(owner, benchClient(owner));
        const o = clients.get(owner)!;
        const v = k.startsWith('lag:l:') ? await o.llen(k) : await o.get(k);
        if (String(v) !== String(srcVals[i])) bad++;
      }),
    );
  } finally {
    for (const x of clients.values()) x.disconnect();
  }
  return bad;
}
