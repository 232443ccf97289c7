/**
 * `npm run bench:import [-- --keys 1000000 --masters 3 --modes copy,move]`
 *
 * `redis-cli --cluster import` against `slotpilot import` on the same source: a standalone
 * redis-server holding K mixed-type sample keys (strings, hashes, lists, sets, zsets; every fifth with
 * a TTL), imported into fresh identical N-master clusters, in the same run. `copy` compares
 * `--cluster-copy` with `--copy` (the source is loaded once and stays untouched); `move` compares the
 * defaults (the source is reloaded before each tool). Every key is verified afterwards (type, value,
 * TTL). Reports wall time, keys/s and the ratio as a table and JSON (bench-import-results.json).
 *
 * `--rdb`: the same keys saved to an RDB file (SAVE on the loaded source), then, in the same run:
 * `slotpilot import --rdb FILE`, `redis-cli --cluster import` from a standalone redis-server that
 * loaded that file, and `slotpilot import --from` that server (both copy mode); the reader alone
 * (validation pass and write-pass read, MB/s of file parsed, in this process) against the time
 * that redis-server took to load the file (its log's "DB loaded from disk", the floor).
 */
import { copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { startCluster } from './lib/local-cluster.js';
import { ensureRedisCli } from './lib/redis-binary.js';
import { benchClient, verifyAllSampleKeys } from './lib/verify-all-keys.js';
import { loadStandaloneKeys, startStandaloneServer } from './lib/standalone-keys.js';
import { measureRun } from './lib/measure-run.js';
import { readRdbFile, statRdbFile } from '../src/rdb/read-file.js';

const args = await yargs(hideBin(process.argv))
  .option('keys', { type: 'number', default: 1_000_000 })
  .option('masters', { type: 'number', default: 3 })
  .option('modes', { type: 'string', default: 'copy', describe: 'copy, move or copy,move' })
  .option('tools', { type: 'string', default: 'redis-cli,slotpilot', describe: 'Which tools to run' })
  .option('output', { type: 'string', default: 'bench-import-results.json' })
  .option('slotpilot-args', { type: 'string', default: '', describe: 'Extra slotpilot options, e.g. "--in-flight 4"' })
  .option('rdb', { type: 'boolean', default: false, describe: 'Compare importing an RDB file (see the header)' })
  .strict()
  .parseAsync();

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
type Tool = 'redis-cli' | 'slotpilot' | 'slotpilot-rdb';
type Mode = 'copy' | 'move';

interface Result {
  tool: Tool;
  mode: Mode;
  seconds: number;
  keysImported: number;
  keysPerSec: number;
  exitCode: number | null;
  peakRssMb: number | null;
  /** Keys not as they must be in the cluster (missing, other type or value, TTL off). */
  mismatches: number;
  /** Keys left in the source: all of them for copy, none for move. */
  sourceKeysAfter: number;
  verified: boolean;
}

const clientOf = benchClient;

async function dbsize(addr: string): Promise<number> {
  const c = clientOf(addr);
  try {
    return await c.dbsize();
  } finally {
    c.disconnect();
  }
}

/** When the source was last loaded: TTLs count down from then. */
let loadedAt = 0;

const verifyAllKeys = (seed: string, count: number): Promise<number> => verifyAllSampleKeys(seed, count, loadedAt);

async function fillSource(addr: string): Promise<void> {
  const c = clientOf(addr);
  await c.flushall().finally(() => c.disconnect());
  const started = performance.now();
  await loadStandaloneKeys(addr, { count: args.keys });
  loadedAt = started + performance.timeOrigin;
  process.stderr.write(`(source loaded: ${args.keys} keys in ${((performance.now() - started) / 1000).toFixed(1)} s) `);
}

/** Clusters and the source to stop if the benchmark is interrupted (their processes outlive it otherwise). */
const cleanups = new Set<() => unknown>();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void Promise.all([...cleanups].map((c) => c())).finally(() => process.exit(130));
  });
}

/**
 * A fresh cluster's nodes can briefly disagree about slot ownership (gossip); redis-cli refuses to
 * import then ("Nodes don't agree about configuration"). Wait until its own check passes, for both tools.
 */
async function waitForCheck(seed: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await measureRun(ensureRedisCli(), ['--cluster', 'check', seed])).code !== 0) {
    if (Date.now() > deadline) throw new Error(`cluster at ${seed} did not pass redis-cli --cluster check within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function once(tool: Tool, mode: Mode, sourceAddr: string, rdbFile = ''): Promise<Result> {
  const cluster = await startCluster({ masters: args.masters });
  const stop = (): Promise<void> => cluster.stop();
  cleanups.add(stop);
  try {
    await waitForCheck(cluster.seed);
    const extra = args.slotpilotArgs.split(' ').filter(Boolean);
    const journal = ['--journal', `${cluster.dir}/import.ndjson`];
    const r =
      tool === 'redis-cli'
        ? await measureRun(ensureRedisCli(), ['--cluster', 'import', cluster.seed, '--cluster-from', sourceAddr, ...(mode === 'copy' ? ['--cluster-copy'] : [])])
        : tool === 'slotpilot-rdb'
          ? await measureRun(process.execPath, [CLI, 'import', '--seed', cluster.seed, '--rdb', rdbFile, '--yes', ...journal, ...extra])
          : await measureRun(process.execPath, [CLI, 'import', '--seed', cluster.seed, '--from', sourceAddr, '--yes', ...journal, ...(mode === 'copy' ? ['--copy'] : []), ...extra]);
    if (r.code !== 0) console.error(`\n${tool} ${mode} exited ${r.code}:\n${r.out.slice(-2000)}`);
    const masters = cluster.nodes.filter((n) => n.role === 'master');
    const keysImported = (await Promise.all(masters.map((m) => dbsize(m.addr)))).reduce((a, b) => a + b, 0);
    const mismatches = await verifyAllKeys(cluster.seed, args.keys);
    const sourceKeysAfter = await dbsize(sourceAddr);
    return {
      tool,
      mode,
      seconds: r.ms / 1000,
      keysImported,
      keysPerSec: keysImported / (r.ms / 1000),
      exitCode: r.code,
      peakRssMb: tool !== 'redis-cli' ? Math.round(r.rssKb / 1024) : null,
      mismatches,
      sourceKeysAfter,
      verified: mismatches === 0 && keysImported === args.keys && sourceKeysAfter === (mode === 'copy' ? args.keys : 0),
    };
  } finally {
    cleanups.delete(stop);
    await cluster.stop();
  }
}

if (args.rdb) await benchRdb();
else await benchLive();

/**
 * The reader alone over `file`: the validation pass (every check) and the write pass's plain read,
 * three times each in turn: the first of each is what a run gets (the code is not compiled yet),
 * the best what the reader does once warm.
 */
async function timeReader(file: string): Promise<{ validateMBps: number; readMBps: number; validateSeconds: number; firstValidateMBps: number; firstReadMBps: number }> {
  const stat = statRdbFile(file);
  const pass = async (deep: boolean): Promise<number> => {
    const started = performance.now();
    let keys = 0;
    await readRdbFile(stat, deep, (entries) => {
      keys += entries.length;
    });
    if (!keys) throw new Error('no entries read');
    return (performance.now() - started) / 1000;
  };
  const deep: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < 3; i++) {
    deep.push(await pass(true));
    plain.push(await pass(false));
  }
  const mbps = (s: number): number => stat.bytes / 1e6 / s;
  return { validateMBps: mbps(Math.min(...deep)), readMBps: mbps(Math.min(...plain)), validateSeconds: deep[0]!, firstValidateMBps: mbps(deep[0]!), firstReadMBps: mbps(plain[0]!) };
}

async function benchRdb(): Promise<void> {
  const source = await startStandaloneServer();
  cleanups.add(() => source.stop());
  let file: string;
  try {
    await fillSource(source.addr);
    const c = clientOf(source.addr);
    await c.save().finally(() => c.disconnect());
    file = join(mkdtempSync(join(tmpdir(), 'slotpilot-bench-rdb-')), 'bench.rdb');
    copyFileSync(join(source.dir, 'dump.rdb'), file);
  } finally {
    source.stop();
  }
  const bytes = statSync(file).size;
  process.stderr.write(`(RDB file: ${(bytes / 1e6).toFixed(1)} MB) `);
  const reader = await timeReader(file);
  // The same file loaded by redis-server: the floor for reading it, and the source of the two live-source tools.
  const loaded = await startStandaloneServer({ rdbFile: file });
  cleanups.add(() => loaded.stop());
  const results: Result[] = [];
  try {
    for (const tool of ['slotpilot-rdb', 'redis-cli', 'slotpilot'] as const) {
      process.stderr.write(`${tool} … `);
      const r = await once(tool, 'copy', loaded.addr, file);
      process.stderr.write(`${r.seconds.toFixed(2)} s${r.verified ? '' : ' (NOT VERIFIED)'}\n`);
      results.push(r);
    }
  } finally {
    loaded.stop();
  }
  const f = (n: number | null, d = 1): string => (n === null ? '-' : n.toFixed(d));
  console.log(`\nRDB file of ${args.keys} mixed-type keys (1 in 5 with a TTL), ${(bytes / 1e6).toFixed(1)} MB → ${args.masters} masters; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  console.log('tool                          seconds  keys imported  keys/s    mismatches  RSS MB  verified');
  const names: Record<Tool, string> = { 'slotpilot-rdb': 'slotpilot import --rdb', 'redis-cli': 'redis-cli --cluster import', slotpilot: 'slotpilot import --from' };
  for (const r of results) console.log(`${names[r.tool].padEnd(28)} ${f(r.seconds, 2).padStart(8)}  ${String(r.keysImported).padStart(13)}  ${f(r.keysPerSec, 0).padStart(8)}  ${String(r.mismatches).padStart(10)}  ${String(r.peakRssMb ?? '-').padStart(6)}  ${r.verified ? 'yes' : 'NO'}`);
  const [rdb, cli, live] = results;
  const ratios = { rdbVsRedisCli: cli!.seconds / rdb!.seconds, rdbVsFrom: live!.seconds / rdb!.seconds };
  console.log(`\nimport --rdb is ${ratios.rdbVsRedisCli.toFixed(2)}× faster than redis-cli --cluster import, ${ratios.rdbVsFrom.toFixed(2)}× than import --from (goal: ≥ 4× redis-cli)`);
  console.log(`reader (best of 3, first in brackets): validation pass ${reader.validateMBps.toFixed(0)} MB/s (${reader.firstValidateMBps.toFixed(0)}), plain read ${reader.readMBps.toFixed(0)} MB/s (${reader.firstReadMBps.toFixed(0)}) (goal ≥ 100 MB/s); redis-server loaded the file in ${loaded.loadSeconds ?? '?'} s (${loaded.loadSeconds ? (bytes / 1e6 / loaded.loadSeconds).toFixed(0) : '?'} MB/s)`);
  writeFileSync(args.output, `${JSON.stringify({ at: new Date().toISOString(), rdb: true, keys: args.keys, masters: args.masters, fileBytes: bytes, loadavg: loadavg(), reader, redisServerLoadSeconds: loaded.loadSeconds, results, ratios }, null, 2)}\n`);
  console.log(`results written to ${args.output}`);
  rmSync(dirname(file), { recursive: true, force: true });
  if (results.some((r) => !r.verified || r.exitCode !== 0)) process.exitCode = 1;
}

async function benchLive(): Promise<void> {
  const modes = args.modes.split(',').filter(Boolean) as Mode[];
  const tools = (['redis-cli', 'slotpilot'] as const).filter((t) => args.tools.split(',').includes(t));
  const source = await startStandaloneServer();
  cleanups.add(() => source.stop());
  const results: Result[] = [];
  try {
    for (const mode of modes) {
      if (mode === 'copy') await fillSource(source.addr);
      for (const tool of tools) {
        if (mode === 'move') await fillSource(source.addr);
        process.stderr.write(`${tool} ${mode} … `);
        const r = await once(tool, mode, source.addr);
        process.stderr.write(`${r.seconds.toFixed(2)} s${r.verified ? '' : ' (NOT VERIFIED)'}\n`);
        results.push(r);
      }
    }
  } finally {
    source.stop();
  }

  const f = (n: number | null, d = 1): string => (n === null ? '-' : n.toFixed(d));
  console.log(`\nstandalone source → ${args.masters} masters, ${args.keys} mixed-type keys (strings, hashes, lists, sets, zsets; 1 in 5 with a TTL)\n`);
  console.log('tool       mode  seconds  keys imported  keys/s    mismatches  source after  RSS MB  verified');
  for (const r of results) {
    console.log(
      `${r.tool.padEnd(10)} ${r.mode.padEnd(5)} ${f(r.seconds, 2).padStart(7)}  ${String(r.keysImported).padStart(13)}  ${f(r.keysPerSec, 0).padStart(8)}  ${String(r.mismatches).padStart(10)}  ${String(r.sourceKeysAfter).padStart(12)}  ${String(r.peakRssMb ?? '-').padStart(6)}  ${r.verified ? 'yes' : 'NO'}`,
    );
  }
  const ratios: Record<string, number> = {};
  for (const mode of modes) {
    const cli = results.find((r) => r.tool === 'redis-cli' && r.mode === mode);
    const sp = results.find((r) => r.tool === 'slotpilot' && r.mode === mode);
    if (!cli || !sp) continue;
    ratios[mode] = cli.seconds / sp.seconds;
    console.log(`${mode}: slotpilot is ${ratios[mode].toFixed(2)}× faster than redis-cli`);
  }
  writeFileSync(args.output, `${JSON.stringify({ at: new Date().toISOString(), keys: args.keys, masters: args.masters, slotpilotArgs: args.slotpilotArgs, results, ratios }, null, 2)}\n`);
  console.log(`results written to ${args.output}`);
  if (results.some((r) => !r.verified || r.exitCode !== 0)) process.exitCode = 1;
}
