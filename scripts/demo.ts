/**
 * `npm run demo [-- --keys 500000]`: a local cluster of 3 loaded masters plus 1 empty master just
 * joined, a small live client load on it (the bench's mixed load through ioredis: writers of new
 * keys, readers, same-tag MSET/MGET, MULTI/EXEC, at a modest fixed rate), and the terminal UI opened
 * on it, so a newcomer can rebalance onto the new master and watch the pace react to the clients.
 * Quitting the UI stops the load and the cluster (so do Ctrl-C while it starts, and a closed terminal),
 * and says what the clients went through.
 *
 * Without a terminal (CI, a pipe) the same flow runs as commands: check, plan, rebalance, check.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { DEFAULT_MIX, startMixedLoad, type RunningLoad } from './lib/load/start-mixed-load.js';
import { startCluster, type LocalCluster } from './lib/local-cluster.js';

const args = await yargs(hideBin(process.argv))
  .option('keys', { type: 'number', default: 500_000, describe: 'Keys loaded into the 3 masters (100-byte strings)' })
  .option('rate', { type: 'number', default: 1000, describe: 'Client operations per second during the demo (0: no clients)' })
  .strict()
  .parseAsync();

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);

let cluster: LocalCluster | null = null;
let load: RunningLoad | null = null;
let stopping: Promise<void> | null = null;
/** Stop the load (saying what the clients saw) and the cluster, once, however the demo ends. */
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    if (load) {
      const [s] = await load.stop();
      if (s) console.log(`live clients meanwhile: ${s.ops.toLocaleString('en-US')} operations, ${s.errorCount} errors, ${s.lost} acknowledged writes lost, p99 ${s.p99.toFixed(2)} ms`);
    }
    if (cluster) await cluster.stop();
    console.log('demo cluster stopped');
  })());

// While the cluster starts (and when the UI is gone), signals reach this process: stop, then leave.
// While the UI runs it owns the keyboard (raw mode): Ctrl-C is a key there, not a signal.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void stop().then(() => process.exit(130)));
}

function slotpilot(argv: string[]): number {
  console.log(`\n$ slotpilot ${argv.join(' ')}`);
  return spawnSync(process.execPath, [CLI, ...argv], { stdio: 'inherit' }).status ?? 1;
}

/** The UI as a child on this terminal; resolves with its exit code. */
function openTui(seed: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'tui', '--seed', seed], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

console.log(`starting a local cluster: 3 masters with ${args.keys.toLocaleString('en-US')} keys, 1 empty master just joined …`);
cluster = await startCluster({ masters: 3, keys: args.keys, load: { kind: 'strings', valueSize: 100 }, empty: 1 });
if (args.rate > 0) {
  load = await startMixedLoad(cluster.seed, ['ioredis'], { ...DEFAULT_MIX, opsPerSec: args.rate, readKeys: args.keys, valueSize: 100 });
  console.log(`live clients: ${args.rate} operations/s through ioredis (new keys, reads, MSET/MGET, MULTI/EXEC)`);
}
let code = 0;
try {
  if (interactive) {
    code = await openTui(cluster.seed);
  } else {
    console.log('(no terminal: running the same flow as commands)');
    const checks = [
      slotpilot(['check', '--seed', cluster.seed]),
      slotpilot(['plan', '--seed', cluster.seed, '--strategy', 'rebalance', '--use-empty-masters']),
      slotpilot(['rebalance', '--seed', cluster.seed, '--use-empty-masters', '--yes']),
      slotpilot(['check', '--seed', cluster.seed]),
    ];
    code = checks.find((c) => c !== 0) ?? 0;
  }
} finally {
  await stop();
}
process.exit(code);
