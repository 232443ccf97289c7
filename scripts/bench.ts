/**
 * `npm run bench [-- --rounds 3 --only idle|load|both --client all|both|ioredis,node-redis,node-redis-6 --workloads w1,scale]`
 *
 * slotpilot against redis-cli on fresh identical local clusters, in the same run:
 * `redis-cli --cluster rebalance --cluster-use-empty-masters` and `slotpilot rebalance --use-empty-masters
 * --yes`, idle and under a live mixed load driven through ioredis, node-redis 5.12 and node-redis 6 at once (each in its
 * own worker thread: writers of new keys, readers of pre-loaded keys, same-tag MSET/MGET and
 * MULTI/EXEC; see scripts/lib/load/). Workloads: `w1` (3 loaded masters + 1 empty, 1M keys) and
 * `scale` (12 + 4, 2M keys, under load only). For every run: wall time, the open-slot exposure measured
 * from outside (every master's CLUSTER NODES every 10 ms: slot-seconds, most open at once, closing
 * bursts), the clients' slot-map reloads (CLUSTER SLOTS calls), and per client library: ops, errors by
 * kind, p50/p99/max, lost acknowledged writes. Ratios per round and their spread; bench-results.json.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { type ExposureReading, startExposureSampler } from './lib/exposure-sampler.js';
import { CLIENT_NAMES, type ClientName } from './lib/load/load-client.js';
import type { MixedLoadStats } from './lib/load/mixed-load.js';
import { DEFAULT_MIX, startMixedLoad } from './lib/load/start-mixed-load.js';
import { startClusterRetrying } from './lib/local-cluster.js';
import { measureRun } from './lib/measure-run.js';
import { reapedChildrenCpuSeconds, totalCpuSeconds } from './lib/cpu-usage.js';
import { ensureRedisCli } from './lib/redis-binary.js';
import { printBench, type BenchResult, type Workload } from './lib/bench-report.js';

const args = await yargs(hideBin(process.argv))
  .option('keys', { type: 'number', describe: 'Keys of the w1 workload (default 1,000,000)', default: 1_000_000 })
  .option('value-size', { type: 'number', default: 100 })
  .option('only', { choices: ['idle', 'load', 'both'] as const, default: 'both' as const })
  .option('client', { type: 'string', default: 'both', describe: 'Client libraries under load: ioredis, node-redis (5.12), node-redis-6, comma-separated; both = ioredis,node-redis; all = the three' })
  .option('workloads', { type: 'string', default: 'w1,scale', describe: 'w1: 3+1 masters; scale: 12+4 masters, 2M keys (load only)' })
  .option('rate', { type: 'number', default: DEFAULT_MIX.opsPerSec, describe: 'Operations per second of each client library under load (0: closed loops, as fast as they go)' })
  .option('rounds', { type: 'number', default: 1, describe: 'Repeat everything, for the spread' })
  .option('output', { type: 'string', default: 'bench-results.json' })
  .option('slotpilot-args', { type: 'string', default: '', describe: 'Extra slotpilot options, e.g. "--max-block-ms 1"' })
  .option('node-dirs', { type: 'string', describe: "Parent directory of the nodes' files (default the system's temp directory; /dev/shm: no fsync cost)" })
  .option('keep', { type: 'string', describe: "Directory to copy each slotpilot run's journal and output tail to" })
  .option('cli', { type: 'string', describe: "slotpilot's entry to run (default this build's): compare two builds in the same conditions" })
  .option('tools', { type: 'string', default: 'redis-cli,slotpilot', describe: 'Which tools to run' })
  .strict()
  .parseAsync();

const CLI = args.cli ?? fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
/**
 * Where the nodes keep their files (nodes.conf is fsynced at every slot change): the system's temp
 * directory unless --node-dirs says otherwise (e.g. /dev/shm). On real deployments each node has a
 * disk of its own; here 4 to 16 nodes share one, and in the 16-node row their fsyncs queue behind
 * each other. On tmpfs (no fsync cost) both tools ran faster there — redis-cli, one fsync per slot
 * per node, more so (idle 11.6 s → 8.4 s) — so the default stays the shared disk the earlier
 * figures were measured on.
 */
const NODE_DIRS = args.nodeDirs ?? null;
const clients = (args.client === 'all' ? [...CLIENT_NAMES] : args.client === 'both' ? ['ioredis', 'node-redis'] : args.client.split(',')) as ClientName[];
for (const c of clients) if (!CLIENT_NAMES.includes(c)) throw new Error(`unknown client ${c} (${CLIENT_NAMES.join(', ')}, both, all)`);
const WORKLOADS: Record<string, Workload> = {
  w1: { name: 'w1', masters: 3, empty: 1, keys: args.keys, modes: ['idle', 'load'] },
  scale: { name: 'scale', masters: 12, empty: 4, keys: 2_000_000, modes: ['load'] },
};

const minus = (after: number | null, before: number | null): number | null => (after === null || before === null ? null : after - before);

async function once(w: Workload, tool: BenchResult['tool'], mode: BenchResult['mode'], round: number): Promise<BenchResult> {
  const cluster = await startClusterRetrying({ masters: w.masters, keys: w.keys, load: { kind: 'strings', valueSize: args.valueSize }, empty: w.empty, ...(NODE_DIRS ? { dir: mkdtempSync(join(NODE_DIRS, 'slotpilot-bench-')) } : {}) }, 'bench cluster');
  try {
    const masters = cluster.nodes.filter((n) => n.role !== 'replica').map((n) => n.addr);
    const load = mode === 'load' ? await startMixedLoad(cluster.seed, clients, { ...DEFAULT_MIX, opsPerSec: args.rate, readKeys: w.keys, valueSize: args.valueSize }) : null;
    // A second of traffic before the tool starts: the clients' slot maps and connections are warm.
    if (load) await new Promise((r) => setTimeout(r, 1000));
    // Every 20 ms: at 10 ms its CLUSTER NODES cost the 16-master row a quarter of a core.
    const meter = await startExposureSampler(masters, {}, 20);
    const pids = cluster.nodes.map((n) => n.pid);
    const cpu0 = { tool: reapedChildrenCpuSeconds(), redis: totalCpuSeconds(pids), load: process.cpuUsage() };
    const r =
      tool === 'redis-cli'
        ? await measureRun(ensureRedisCli(), ['--cluster', 'rebalance', cluster.seed, '--cluster-use-empty-masters'])
        : await measureRun(process.execPath, [CLI, 'rebalance', '--seed', cluster.seed, '--use-empty-masters', '--yes', '--journal', `${cluster.dir}/journal.ndjson`, ...args.slotpilotArgs.split(' ').filter(Boolean)]);
    // Read before anything else is reaped (the check below is a child too).
    const loadCpu = process.cpuUsage(cpu0.load);
    const cpu = { tool: minus(reapedChildrenCpuSeconds(), cpu0.tool), redis: minus(totalCpuSeconds(pids), cpu0.redis), load: (loadCpu.user + loadCpu.system) / 1e6 };
    const exposure: ExposureReading = await meter.stop();
    const loadStats: MixedLoadStats[] = load ? await load.stop() : [];
    let keysMoved = 0;
    for (const n of cluster.nodes.filter((x) => x.role === 'empty-master')) {
      const c = cluster.client(n);
      keysMoved += await c.dbsize();
      c.disconnect();
    }
    const check = await measureRun(process.execPath, [fileURLToPath(new URL('../src/cli/main.js', import.meta.url)), 'check', '--seed', cluster.seed]);
    if (r.code !== 0) console.error(`${tool} ${w.name} ${mode} exited ${r.code}:\n${r.out.slice(-2000)}`);
    if (args.keep && tool === 'slotpilot') {
      mkdirSync(args.keep, { recursive: true });
      const name = `${args.keep}/${w.name}-${mode}-round${round}`;
      if (existsSync(`${cluster.dir}/journal.ndjson`)) copyFileSync(`${cluster.dir}/journal.ndjson`, `${name}.journal.ndjson`);
      writeFileSync(`${name}.out.txt`, r.out);
    }
    return {
      round,
      workload: w.name,
      tool,
      mode,
      seconds: r.ms / 1000,
      keysMoved,
      exitCode: r.code,
      peakRssMb: tool === 'slotpilot' ? Math.round(r.rssKb / 1024) : null,
      exposure,
      cpu,
      clients: loadStats,
      clean: check.code === 0,
    };
  } finally {
    await cluster.stop();
  }
}

const modes: BenchResult['mode'][] = args.only === 'both' ? ['idle', 'load'] : [args.only];
const tools = (['redis-cli', 'slotpilot'] as const).filter((t) => args.tools.split(',').includes(t));
const results: BenchResult[] = [];
for (let round = 1; round <= args.rounds; round++) {
  for (const name of args.workloads.split(',')) {
    const w = WORKLOADS[name];
    if (!w) throw new Error(`unknown workload ${name} (w1, scale)`);
    for (const mode of w.modes.filter((m) => modes.includes(m))) {
      for (const tool of tools) {
        process.stderr.write(`round ${round}: ${w.name} ${tool} ${mode} … `);
        const r = await once(w, tool, mode, round);
        process.stderr.write(`${r.seconds.toFixed(2)} s\n`);
        results.push(r);
      }
    }
  }
}
const summary = printBench(results, Object.values(WORKLOADS));
writeFileSync(args.output, `${JSON.stringify({ at: new Date().toISOString(), keys: args.keys, clients, slotpilotArgs: args.slotpilotArgs, results, summary }, null, 2)}\n`);
console.log(`results written to ${args.output}`);
