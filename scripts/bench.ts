/**
 * `npm run bench [-- --keys 1000000 --masters 3 --only idle|load]`
 *
 * slotpilot against redis-cli on fresh identical local clusters (N masters, K 100-byte string keys,
 * one empty master just joined): `redis-cli --cluster rebalance --cluster-use-empty-masters` and
 * `slotpilot rebalance --use-empty-masters --yes`, idle and under a live load (8 writers of unique
 * keys through ioredis Cluster). Reports wall time, keys/s, client latency, errors, lost writes and
 * slotpilot's peak RSS, with ratios; writes bench-results.json.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { startLoad, type LoadStats } from './lib/load-client.js';
import { startCluster } from './lib/local-cluster.js';
import { ensureRedisCli } from './lib/redis-binary.js';
import { measureRun } from './lib/measure-run.js';

const args = await yargs(hideBin(process.argv))
  .option('keys', { type: 'number', default: 1_000_000 })
  .option('masters', { type: 'number', default: 3 })
  .option('value-size', { type: 'number', default: 100 })
  .option('only', { choices: ['idle', 'load', 'both'] as const, default: 'both' as const })
  .option('output', { type: 'string', default: 'bench-results.json' })
  .option('slotpilot-args', { type: 'string', default: '', describe: 'Extra slotpilot options, e.g. "--max-block-ms 1"' })
  .option('tools', { type: 'string', default: 'redis-cli,slotpilot', describe: 'Which tools to run' })
  .strict()
  .parseAsync();

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

interface Result {
  tool: 'redis-cli' | 'slotpilot';
  mode: 'idle' | 'load';
  seconds: number;
  keysMoved: number;
  keysPerSec: number;
  exitCode: number | null;
  peakRssMb: number | null;
  load: LoadStats | null;
  lost: number | null;
  clean: boolean;
}

async function once(tool: Result['tool'], mode: Result['mode']): Promise<Result> {
  const cluster = await startCluster({ masters: args.masters, keys: args.keys, load: { kind: 'strings', valueSize: args.valueSize }, empty: 1 });
  try {
    const empty = cluster.nodes.find((n) => n.role === 'empty-master')!;
    // The writers follow MOVED at once, as ioredis does by default: with a retry delay every MOVED
    // would add that delay to one write, and a faster tool packs the same MOVEDs into fewer writes.
    const load = mode === 'load' ? startLoad(cluster.seed, 8, undefined, 'live', 0) : null;
    if (load) await new Promise((r) => setTimeout(r, 1000));
    const r =
      tool === 'redis-cli'
        ? await measureRun(ensureRedisCli(), ['--cluster', 'rebalance', cluster.seed, '--cluster-use-empty-masters'])
        : await measureRun(process.execPath, [CLI, 'rebalance', '--seed', cluster.seed, '--use-empty-masters', '--yes', '--journal', `${cluster.dir}/journal.ndjson`, ...args.slotpilotArgs.split(' ').filter(Boolean)]);
    const stats = load ? await load.stop() : null;
    const lost = load ? await load.verify() : null;
    load?.close();
    const c = cluster.client(empty);
    const keysMoved = await c.dbsize();
    c.disconnect();
    const check = await measureRun(process.execPath, [CLI, 'check', '--seed', cluster.seed]);
    if (r.code !== 0) console.error(`${tool} ${mode} exited ${r.code}:\n${r.out.slice(-2000)}`);
    return {
      tool,
      mode,
      seconds: r.ms / 1000,
      keysMoved,
      keysPerSec: keysMoved / (r.ms / 1000),
      exitCode: r.code,
      peakRssMb: tool === 'slotpilot' ? Math.round(r.rssKb / 1024) : null,
      load: stats,
      lost,
      clean: check.code === 0,
    };
  } finally {
    await cluster.stop();
  }
}

const modes: Result['mode'][] = args.only === 'both' ? ['idle', 'load'] : [args.only];
const results: Result[] = [];
for (const mode of modes) {
  for (const tool of (['redis-cli', 'slotpilot'] as const).filter((t) => args.tools.split(',').includes(t))) {
    process.stderr.write(`${tool} ${mode} … `);
    const r = await once(tool, mode);
    process.stderr.write(`${r.seconds.toFixed(2)} s\n`);
    results.push(r);
  }
}

const f = (n: number | null | undefined, d = 1): string => (n === null || n === undefined ? '-' : n.toFixed(d));
console.log(`\n${args.masters} masters + 1 empty, ${args.keys} keys of ${args.valueSize} bytes\n`);
console.log('tool       mode  seconds  keys moved  keys/s    p50 ms  p99 ms  max ms  errors  lost  RSS MB  check');
for (const r of results) {
  console.log(
    `${r.tool.padEnd(10)} ${r.mode.padEnd(5)} ${f(r.seconds, 2).padStart(7)}  ${String(r.keysMoved).padStart(10)}  ${f(r.keysPerSec, 0).padStart(8)}  ${f(r.load?.p50, 2).padStart(6)}  ${f(r.load?.p99, 2).padStart(6)}  ${f(r.load?.max, 1).padStart(6)}  ${String(r.load?.errors ?? '-').padStart(6)}  ${String(r.lost ?? '-').padStart(4)}  ${String(r.peakRssMb ?? '-').padStart(6)}  ${r.clean ? 'clean' : 'PROBLEMS'}`,
  );
}
const ratios: Record<string, { speedup: number; p99Ratio: number | null }> = {};
for (const mode of modes) {
  const cli = results.find((r) => r.tool === 'redis-cli' && r.mode === mode);
  const sp = results.find((r) => r.tool === 'slotpilot' && r.mode === mode);
  if (!cli || !sp) continue;
  ratios[mode] = { speedup: cli.seconds / sp.seconds, p99Ratio: cli.load && sp.load ? sp.load.p99 / cli.load.p99 : null };
  console.log(`${mode}: slotpilot is ${ratios[mode].speedup.toFixed(2)}× faster than redis-cli${ratios[mode].p99Ratio !== null ? `; client p99 ratio slotpilot/redis-cli ${ratios[mode].p99Ratio!.toFixed(2)}` : ''}`);
}
writeFileSync(args.output, `${JSON.stringify({ at: new Date().toISOString(), keys: args.keys, masters: args.masters, slotpilotArgs: args.slotpilotArgs, results, ratios }, null, 2)}\n`);
console.log(`results written to ${args.output}`);
