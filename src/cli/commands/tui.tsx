import { createInterface } from 'node:readline/promises';
import type { CommandModule } from 'yargs';
import { InterruptedError, OperationError, UsageError } from '../../errors.js';
import type { RunHandle } from '../../executor/events.js';
import { RunWorker } from '../../executor/run-in-worker.js';
import { readPlanFile, writePlanFile } from '../../planner/plan-file.js';
import type { Plan } from '../../planner/plan-schema.js';
import { formatAddr, parseAddr, type HostPort } from '../../redis/connection.js';
import { readTopology } from '../../topology/read-topology.js';
import type { TuiController, TuiOutcome } from '../../ui/controller.js';
import { formatCount } from '../../util/format.js';
import { runOptionsFrom, withApplyOptions, type ApplyArgs } from '../apply-options.js';
import { resolveConnection, withConnectionOptions, type ConnectionArgs } from '../options.js';
import { isInteractive, printLine } from '../output.js';
import { prepareInkEnv } from '../ink-env.js';

interface Args extends ApplyArgs, ConnectionArgs {
  readonly plan?: string;
  readonly refresh: number;
}

/** The seed from options or environment, or asked for on the terminal (the TUI is interactive anyway). */
async function askSeed(args: ConnectionArgs): Promise<HostPort> {
  const given = args.seed ?? process.env.SLOTPILOT_SEED;
  if (given) return parseAddr(given, '--seed');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question('Seed node of the cluster (HOST:PORT): ')).trim();
    if (!answer) throw new UsageError('no seed given (use --seed HOST:PORT or SLOTPILOT_SEED)');
    return parseAddr(answer, 'the seed');
  } finally {
    rl.close();
  }
}

export const tuiCommand: CommandModule<object, Args> = {
  command: ['tui', '$0'],
  describe: 'Interactive terminal UI: see the cluster, build a plan, watch every slot move (default in a terminal)',
  builder: (y) =>
    withApplyOptions(withConnectionOptions(y))
      .option('plan', { type: 'string', describe: 'Open on the confirmation of this plan file', group: 'TUI:' })
      .option('refresh', { type: 'number', default: 5, describe: 'Overview refresh period, seconds (0: only on r)', group: 'TUI:' }) as never,
  handler: async (args) => {
    if (!isInteractive()) throw new UsageError('the terminal UI needs a terminal; give a command instead (see slotpilot --help)');
    if (!(args.refresh >= 0)) throw new UsageError(`Expected --refresh to be a number of seconds >= 0, got ${args.refresh}`);
    const seed = await askSeed(args);
    const connection = resolveConnection(args);
    const plan: Plan | undefined = args.plan ? readPlanFile(args.plan) : undefined;
    runOptionsFrom(args, { seed, connection }, 'tui'); // validate the numbers before the screen opens
    // Read once before drawing: an unreachable seed or a wrong password fails as a plain one-liner.
    const initial = await readTopology(seed, connection);
    const live: { run: (RunHandle & { interrupt(immediate: boolean): void }) | null } = { run: null };
    // The executor runs in a worker thread, started now so it is loaded by the time a plan is
    // confirmed: frames drawn here then never hold up the migration's replies.
    const worker = new RunWorker();
    const controller: TuiController = {
      seed: formatAddr(seed),
      settings: `concurrency ${args.concurrency}, ${args.perSource} MIGRATEs per source within ${args.maxBlockMs} ms${args.batch ? `, batch ${args.batch}` : ''}${args.replace ? ', REPLACE' : ''}; journal written under ${args.journal ?? '.slotpilot/'}`,
      readTopology: () => readTopology(seed, connection),
      startRun: (p) => (live.run = worker.start(p, runOptionsFrom(args, { seed, connection }, 'tui'), args.nice)),
      savePlan: (p) => {
        const path = `slotpilot-plan-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
        writePlanFile(path, p);
        return path;
      },
    };
    let outcome: TuiOutcome = { summary: null, journal: null };
    // Ink and React load only here: they cost every other command about 0.4 s of start-up CPU. No JSX
    // in this file, so React is not loaded before this line.
    prepareInkEnv();
    const { openTui } = await import('../../ui/open-tui.js');
    const app = openTui({ controller, initial, plan, refreshMs: args.refresh * 1000, onExit: (o) => (outcome = o) });
    // A signal from outside (kill, a closed terminal): stop a run gently, then at once; else just leave.
    let signals = 0;
    const onSignal = (): void => {
      signals++;
      if (live.run) live.run.interrupt(signals > 1);
      else app.unmount();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      await app.waitUntilExit();
      // The UI writes to the terminal asynchronously (see open-tui): let its last frame out before
      // the closing line, which may go to stderr, so the two never interleave.
      await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
      const run = live.run;
      if (run && !outcome.summary) {
        // Quit before the run ended (only possible through a signal): let it stop cleanly first.
        run.interrupt(signals > 1);
        outcome = { summary: await run.done.catch(() => null), journal: outcome.journal };
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      worker.close();
    }
    const s = outcome.summary;
    if (!s) return;
    const resume = outcome.journal ? `; finish with: slotpilot resume --journal ${outcome.journal}` : '';
    if (s.accounting.evicted > 0) throw new OperationError(`${formatCount(s.accounting.evicted)} keys were evicted on the targets during the run and are lost`);
    if (s.failed) throw new OperationError(`${s.failed} slot(s) failed, ${s.notStarted} not started${resume}`);
    if (s.stoppedBy === 'capacity') throw new OperationError(`stopped before a target ran out of room: ${s.done}/${s.planned} slots moved${resume}`);
    if (s.stoppedBy) throw new InterruptedError(`stopped: ${s.done}/${s.planned} slots moved${resume}`);
    printLine(`done: ${s.done}/${s.planned} slots moved, ${formatCount(s.keys)} keys in ${(s.ms / 1000).toFixed(1)} s${outcome.journal ? `; journal ${outcome.journal}` : ''}`);
  },
};
