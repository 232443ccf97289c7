/**
 * `npm run demo`: a local cluster of 3 loaded masters plus 1 empty master just joined, and the
 * terminal UI opened on it, so a newcomer can rebalance onto the new master at once. Quitting the
 * UI stops the cluster (so do Ctrl-C while it starts, and a closed terminal).
 *
 * Without a terminal (CI, a pipe) the same flow runs as commands: check, plan, rebalance, check.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCluster, type LocalCluster } from './lib/local-cluster.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);

let cluster: LocalCluster | null = null;
let stopping: Promise<void> | null = null;
/** Stop the cluster once, however the demo ends. */
const stop = (): Promise<void> =>
  (stopping ??= (async () => {
    if (!cluster) return;
    await cluster.stop();
    console.log('demo cluster stopped');
  })());

// While the cluster starts (and when the UI is gone), signals reach this process: stop, then leave.
// While the UI runs it owns the keyboard (raw mode): Ctrl-C is a key there, not a signal.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => void stop().then(() => process.exit(130)));
}

function slotpilot(args: string[]): number {
  console.log(`\n$ slotpilot ${args.join(' ')}`);
  return spawnSync(process.execPath, [CLI, ...args], { stdio: 'inherit' }).status ?? 1;
}

/** The UI as a child on this terminal; resolves with its exit code. */
function openTui(seed: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'tui', '--seed', seed], { stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
  });
}

console.log('starting a local cluster: 3 masters with 100,000 keys, 1 empty master just joined …');
cluster = await startCluster({ masters: 3, keys: 100_000, empty: 1 });
let code = 0;
try {
  if (interactive) {
    code = await openTui(cluster.seed);
  } else {
    console.log('(no terminal: running the same flow as commands)');
    slotpilot(['check', '--seed', cluster.seed]);
    slotpilot(['plan', '--seed', cluster.seed, '--strategy', 'rebalance', '--use-empty-masters']);
    code = slotpilot(['rebalance', '--seed', cluster.seed, '--use-empty-masters', '--yes']);
    slotpilot(['check', '--seed', cluster.seed]);
  }
} finally {
  await stop();
}
process.exit(code);
