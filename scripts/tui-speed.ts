/**
 * `node dist/scripts/tui-speed.js [--keys 500000] [--rounds 2]`: does watching a run in the TUI slow
 * it down? On identical fresh local clusters (3 loaded masters + 1 empty master), the same rebalance
 * plan is applied headless (`slotpilot apply --yes`, output to a pipe) and in the TUI (`slotpilot tui
 * --plan`, in a tmux terminal, confirmed with `y`). Rounds alternate which goes first. The figure
 * compared is the executor's own run time from each journal's `run-end` (first slot to last), so
 * reading the cluster and drawing the confirmation do not count for either side.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { startCluster, type LocalCluster } from './lib/local-cluster.js';
import { shellQuote, TmuxSession } from './lib/tmux-session.js';

const CLI = fileURLToPath(new URL('../src/cli/main.js', import.meta.url));
const args = await yargs(hideBin(process.argv))
  .option('keys', { type: 'number', default: 500_000 })
  .option('rounds', { type: 'number', default: 2 })
  // A fixed port range: random free ports can be taken by someone else between the check and the bind.
  .option('base-port', { type: 'number', default: 7420 })
  .strict()
  .parse();

type Mode = 'headless' | 'tui';
interface Result {
  readonly mode: Mode;
  readonly round: number;
  readonly runMs: number;
  /** Without the pre-flight (reading the cluster, waiting for agreement, connecting). */
  readonly movingMs: number;
  readonly wallMs: number;
  readonly keys: number;
  readonly slots: number;
  readonly clean: boolean;
}

function cli(argv: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...argv], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The run's figures from its journal; `movingMs` is run-start to run-end, without the pre-flight. */
function runEnd(journal: string): { ms: number; movingMs: number; keys: number; done: number } {
  const lines = readFileSync(journal, 'utf8').trim().split('\n');
  const end = lines.reverse().find((l) => l.includes('"run-end"'));
  const start = lines.find((l) => l.includes('"run-start"'));
  if (!end || !start) throw new Error(`no run-start or run-end in ${journal}`);
  const e = JSON.parse(end) as { t: number; summary: { ms: number; keys: number; done: number } };
  const s = JSON.parse(start) as { t: number };
  return { ms: e.summary.ms, movingMs: e.t - s.t, keys: e.summary.keys, done: e.summary.done };
}

/** Kill redis-servers left running under `dir` (a start that failed half-way leaves some). */
function killUnder(dir: string): void {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(dir)) process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Gone, or not ours to read.
    }
  }
}

let runs = 0;
/**
 * A fresh cluster on a port range of its own (three in turn): the previous cluster's ports are not
 * always free again at once. A start that fails (a port taken by someone else) is cleaned and retried.
 */
async function freshCluster(): Promise<{ cluster: LocalCluster; dir: string }> {
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'slotpilot-tui-speed-cluster-'));
    const basePort = args.basePort + 10 * (runs++ % 3);
    try {
      return { cluster: await startCluster({ masters: 3, keys: args.keys, empty: 1, basePort, dir }), dir };
    } catch (error) {
      killUnder(dir);
      rmSync(dir, { recursive: true, force: true });
      if (attempt >= 3) throw error;
    }
  }
}

async function measure(mode: Mode, round: number): Promise<Result> {
  const dir = mkdtempSync(join(tmpdir(), 'slotpilot-tui-speed-'));
  const { cluster, dir: clusterDir } = await freshCluster();
  try {
    const plan = join(dir, 'plan.json');
    const journal = join(dir, 'journal.ndjson');
    const planned = cli(['plan', '--seed', cluster.seed, '--strategy', 'rebalance', '--use-empty-masters', '-o', plan]);
    if (planned.status !== 0) throw new Error(`plan failed: ${planned.stderr}`);
    let wallMs: number;
    if (mode === 'headless') {
      const started = Date.now();
      const r = cli(['apply', plan, '--seed', cluster.seed, '--yes', '--journal', journal]);
      wallMs = Date.now() - started;
      if (r.status !== 0) throw new Error(`apply failed: ${r.stderr}`);
    } else {
      const command = `${[process.execPath, CLI, 'tui', '--seed', cluster.seed, '--plan', plan, '--journal', journal].map(shellQuote).join(' ')}; echo EXIT=$?; sleep 60`;
      const tui = new TmuxSession({ command, columns: 120, rows: 40, cwd: dir });
      try {
        await tui.waitFor(/Start moving slots\?/);
        const started = Date.now();
        tui.keys('y');
        await tui.waitFor(/(done|stopped[^:]*): [\d,]+\/[\d,]+ slots moved/, 600_000);
        wallMs = Date.now() - started;
        tui.keys('q');
        const exited = await tui.waitFor(/EXIT=\d+/);
        if (!/EXIT=0/.test(exited)) throw new Error(`tui did not exit 0:\n${exited}`);
      } finally {
        tui.kill();
      }
    }
    const end = runEnd(journal);
    const clean = cli(['check', '--seed', cluster.seed]).status === 0;
    return { mode, round, runMs: end.ms, movingMs: end.movingMs, wallMs, keys: end.keys, slots: end.done, clean };
  } finally {
    await cluster.stop();
    killUnder(clusterDir);
    rmSync(dir, { recursive: true, force: true });
  }
}

const results: Result[] = [];
for (let round = 1; round <= args.rounds; round++) {
  const order: Mode[] = round % 2 ? ['headless', 'tui'] : ['tui', 'headless'];
  for (const mode of order) {
    const r = await measure(mode, round);
    results.push(r);
    console.log(`round ${round} ${mode.padEnd(8)} run ${(r.runMs / 1000).toFixed(2)} s  moving ${(r.movingMs / 1000).toFixed(2)} s  (wall ${(r.wallMs / 1000).toFixed(2)} s)  ${r.slots} slots  ${r.keys} keys  ${Math.round(r.keys / (r.runMs / 1000))} keys/s  check ${r.clean ? 'clean' : 'NOT CLEAN'}`);
  }
}
const total = (mode: Mode): number => results.filter((r) => r.mode === mode).reduce((a, r) => a + r.runMs, 0);
const ratio = total('headless') / total('tui');
// Per round too: other work on the machine moves single runs by tens of percent, in both modes.
const perRound = [...new Set(results.map((r) => r.round))].map((round) => {
  const of = (mode: Mode): number => results.find((r) => r.round === round && r.mode === mode)!.runMs;
  return of('headless') / of('tui');
});
const sorted = [...perRound].sort((a, b) => a - b);
const median = sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
console.log(`per round TUI/headless speed: ${perRound.map((r) => `${(r * 100).toFixed(0)}%`).join(', ')}; median ${(median * 100).toFixed(1)}%`);
const moving = (mode: Mode): number => results.filter((r) => r.mode === mode).reduce((a, r) => a + r.movingMs, 0);
console.log(`\n${args.keys} keys, 3 masters + 1 empty, ${args.rounds} round(s): TUI speed = ${(ratio * 100).toFixed(1)}% of headless (run time headless ${(total('headless') / 1000).toFixed(2)} s, TUI ${(total('tui') / 1000).toFixed(2)} s); moving slots only: ${((moving('headless') / moving('tui')) * 100).toFixed(1)}%`);
process.exitCode = results.every((r) => r.clean) ? 0 : 1;
