/**
 * `npm run demo`: a local cluster of 3 loaded masters plus 1 empty master just joined, then slotpilot
 * on it: check, a rebalance plan onto the new master, the rebalance itself (asks first in a
 * terminal), check again. The cluster is stopped at the end (Ctrl-C too).
 * (The interactive terminal UI of issue 5 is not built yet; this runs the same flow as commands.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startCluster } from './lib/local-cluster.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));

function slotpilot(args: string[]): number {
  console.log(`\n$ slotpilot ${args.join(' ')}`);
  return spawnSync(process.execPath, [CLI, ...args], { stdio: 'inherit' }).status ?? 1;
}

console.log('starting a local cluster: 3 masters with 100,000 keys, 1 empty master …');
const cluster = await startCluster({ masters: 3, keys: 100_000, empty: 1 });
const stop = async (): Promise<void> => {
  await cluster.stop();
  console.log('\ndemo cluster stopped');
};
process.on('SIGINT', () => void stop().then(() => process.exit(130)));
try {
  const seed = cluster.seed;
  slotpilot(['check', '--seed', seed]);
  slotpilot(['plan', '--seed', seed, '--strategy', 'rebalance', '--use-empty-masters']);
  const yes = process.stdin.isTTY ? [] : ['--yes'];
  slotpilot(['rebalance', '--seed', seed, '--use-empty-masters', ...yes, '--journal', `${cluster.dir}/journal.ndjson`]);
  slotpilot(['check', '--seed', seed]);
} finally {
  await stop();
}
