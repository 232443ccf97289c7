import { createInterface } from 'node:readline/promises';
import type { Argv } from 'yargs';
import { InterruptedError, OperationError, UsageError } from '../errors.js';
import { DEFAULT_CLOSE_EVERY_MS, DEFAULT_CONCURRENCY, DEFAULT_MAX_BLOCK_MS, DEFAULT_MIGRATES_PER_SOURCE, DEFAULT_PER_NODE, startRun, type RunOptions } from '../executor/run-plan.js';
import type { RunSummary } from '../executor/events.js';
import type { PaceSetting } from '../executor/traffic.js';
import { INTRODUCE_MAX_MS } from '../executor/introduction.js';
import { defaultJournalPath } from '../journal/journal.js';
import type { Plan } from '../planner/plan-schema.js';
import { attachNdjsonReporter } from '../report/ndjson-reporter.js';
import { attachPlainReporter } from '../report/plain-reporter.js';
import { describeCapacity } from '../report/describe-run.js';
import { formatBytes, formatCount } from '../util/format.js';
import { bufferedLines, isInteractive, printLine } from './output.js';
import { DEFAULT_NICE, yieldCpu } from '../util/priority.js';

/** Options of every command that changes the cluster through the executor. */
export function withApplyOptions<T>(y: Argv<T>) {
  return y
    .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation (required without a terminal)', group: 'Apply:' })
    .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'Slots in flight at once', group: 'Apply:' })
    .option('per-node', { type: 'number', default: DEFAULT_PER_NODE, describe: 'Slots open at once per node (as source or target)', group: 'Apply:' })
    .option('pace', { choices: ['auto', 'fast', 'gentle'] as const, default: 'auto' as const, describe: 'auto: full speed while the masters see no client traffic, gentle (at most two sources per target, one MIGRATE per source at a time) while they do', group: 'Apply:' })
    .option('per-source', { type: 'number', default: DEFAULT_MIGRATES_PER_SOURCE, describe: 'MIGRATEs queued on each source at once', group: 'Apply:' })
    .option('close-every', { type: 'number', default: DEFAULT_CLOSE_EVERY_MS, describe: 'Shortest ms between two closing bursts (0: close each slot as soon as its keys are gone; more: fewer slot-map reloads for clients, longer open slots)', group: 'Apply:' })
    .option('introduce-wait', { type: 'number', default: INTRODUCE_MAX_MS, describe: 'Longest ms to wait for clients to connect to a new master once it owns its first slots, before more slots open towards it (0: no wait)', group: 'Apply:' })
    .option('nice', { type: 'number', default: DEFAULT_NICE, describe: 'CPU priority of this process while it moves slots (0-19; higher yields more to Redis and clients on the same machine)', group: 'Apply:' })
    .option('batch', { type: 'number', describe: 'Fixed keys per MIGRATE (default: adapt to --max-block-ms)', group: 'Apply:' })
    .option('max-block-ms', { type: 'number', default: DEFAULT_MAX_BLOCK_MS, describe: 'Longest slotpilot\'s queued MIGRATEs may block a source; lower = gentler on live clients, slower', group: 'Apply:' })
    .option('replace', { type: 'boolean', default: false, describe: 'Overwrite keys that already exist on the target (MIGRATE REPLACE)', group: 'Apply:' })
    .option('ignore-capacity', { type: 'boolean', default: false, describe: "Go on although a target would pass its maxmemory (evictions still make the run exit 1)", group: 'Apply:' })
    .option('migrate-timeout', { type: 'number', default: 10_000, describe: 'MIGRATE timeout in ms (a timed-out key is retried alone with 6× this)', group: 'Apply:' })
    .option('journal', { type: 'string', describe: 'Journal file (default .slotpilot/journal-<time>.ndjson)', group: 'Apply:' })
    .option('json', { type: 'boolean', default: false, describe: 'Print NDJSON events instead of progress lines', group: 'Apply:' });
}

export interface ApplyArgs {
  readonly yes: boolean;
  readonly concurrency: number;
  readonly perNode: number;
  readonly perSource: number;
  readonly closeEvery: number;
  readonly introduceWait?: number;
  readonly pace?: PaceSetting;
  readonly nice: number;
  readonly batch?: number;
  readonly maxBlockMs: number;
  readonly replace: boolean;
  readonly ignoreCapacity?: boolean;
  /** MIGRATE timeout, ms. */
  readonly migrateTimeout?: number;
  readonly journal?: string;
  readonly json: boolean;
}

function checkNumbers(args: ApplyArgs): void {
  if (!Number.isInteger(args.concurrency) || args.concurrency < 1) throw new UsageError(`Expected --concurrency to be a whole number >= 1, got ${args.concurrency}`);
  if (!Number.isInteger(args.perNode) || args.perNode < 1) throw new UsageError(`Expected --per-node to be a whole number >= 1, got ${args.perNode}`);
  if (!Number.isInteger(args.perSource) || args.perSource < 1) throw new UsageError(`Expected --per-source to be a whole number >= 1, got ${args.perSource}`);
  if (!(Number.isFinite(args.closeEvery) && args.closeEvery >= 0)) throw new UsageError(`Expected --close-every to be a number of ms >= 0, got ${args.closeEvery}`);
  if (args.introduceWait !== undefined && !(Number.isFinite(args.introduceWait) && args.introduceWait >= 0)) throw new UsageError(`Expected --introduce-wait to be a number of ms >= 0, got ${args.introduceWait}`);
  if (!Number.isInteger(args.nice) || args.nice < 0 || args.nice > 19) throw new UsageError(`Expected --nice to be a whole number from 0 to 19, got ${args.nice}`);
  if (args.batch !== undefined && (!Number.isInteger(args.batch) || args.batch < 1)) throw new UsageError(`Expected --batch to be a whole number >= 1, got ${args.batch}`);
  if (!(args.maxBlockMs > 0)) throw new UsageError(`Expected --max-block-ms to be a number > 0, got ${args.maxBlockMs}`);
  if (args.migrateTimeout !== undefined && (!Number.isInteger(args.migrateTimeout) || args.migrateTimeout < 1)) throw new UsageError(`Expected --migrate-timeout to be a whole number of ms >= 1, got ${args.migrateTimeout}`);
}

/** Ask y/N on the terminal; refuse outright without one unless --yes. */
export async function confirm(question: string, yes: boolean): Promise<void> {
  if (yes) return;
  if (!isInteractive() || !process.stdin.isTTY) throw new UsageError('refusing to change the cluster without --yes (no terminal to confirm on)');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('not confirmed; nothing was changed');
  } finally {
    rl.close();
  }
}

export function describePlanChange(plan: Plan): string {
  const m = plan.summary.moved;
  return `move ${formatCount(m.slots)} slots (${formatCount(m.keys)} keys, ${formatBytes(m.bytes)}) between ${new Set(plan.moves.flatMap((x) => [x.from, x.to])).size} masters, about ${plan.summary.estimatedSeconds} s`;
}

/** Executor options from the apply options (validated), with a journal path (new one per call unless given). */
export function runOptionsFrom(args: ApplyArgs, base: Pick<RunOptions, 'seed' | 'connection'> & Partial<RunOptions>, command: string): RunOptions & { journal: string } {
  checkNumbers(args);
  return {
    ...base,
    concurrency: args.concurrency,
    perNodeLimit: args.perNode,
    migratesPerSource: args.perSource,
    closeEveryMs: args.closeEvery,
    ...(args.introduceWait !== undefined ? { introduceWaitMs: args.introduceWait } : {}),
    pace: args.pace ?? 'auto',
    maxBlockMs: args.maxBlockMs,
    replace: args.replace,
    ignoreCapacity: args.ignoreCapacity ?? false,
    ...(args.migrateTimeout !== undefined ? { migrateTimeoutMs: args.migrateTimeout } : {}),
    journal: args.journal ?? base.journal ?? defaultJournalPath(new Date()),
    command,
    ...(args.batch !== undefined ? { batch: args.batch } : {}),
  };
}

/**
 * Run a plan from the command line: reporters, journal, signals (first Ctrl-C graceful, second at
 * once), and the exit code from the summary.
 */
export async function executePlan(plan: Plan, args: ApplyArgs, base: Pick<RunOptions, 'seed' | 'connection'> & Partial<RunOptions>, command: string): Promise<RunSummary> {
  const options = runOptionsFrom(args, base, command);
  const journal = options.journal!;
  yieldCpu(args.nice);
  const handle = startRun(plan, options);
  const ndjson = args.json ? bufferedLines((text) => process.stdout.write(text)) : null;
  if (ndjson) attachNdjsonReporter(handle, ndjson.line);
  else attachPlainReporter(handle, printLine);
  // The first memory alarm names the node in the exit message.
  let alarm: string | null = null;
  let eviction: string | null = null;
  let nodes: Readonly<Record<string, string>> = {};
  handle.subscribe((e) => {
    if (e.type === 'run-start') nodes = e.nodes;
    if (e.type === 'capacity' && e.kind === 'full') alarm ??= describeCapacity(e, nodes[e.node] ?? e.node.slice(0, 8));
    if (e.type === 'capacity' && e.kind === 'evicted') eviction ??= describeCapacity(e, nodes[e.node] ?? e.node.slice(0, 8));
  });
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    handle.interrupt(signals > 1);
    if (signals > 1) {
      // At once means at once, even behind a MIGRATE of a big key: the journal flushes on exit and
      // `resume` finishes whatever is left open.
      process.stderr.write(`slotpilot: stopping now; finish with: slotpilot resume --journal ${journal}\n`);
      setTimeout(() => process.exit(130), 1000).unref();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const summary = await handle.done.finally(() => ndjson?.flush());
    if (summary.stoppedBy === 'signal') {
      throw new InterruptedError(`interrupted: ${summary.done}/${summary.planned} slots moved; finish with: slotpilot resume --journal ${journal}`);
    }
    if (summary.accounting.evicted > 0) {
      throw new OperationError(`${formatCount(summary.accounting.evicted)} keys were evicted on the targets during the run and are lost (first: ${eviction ?? 'a target evicted keys'})`);
    }
    if (summary.stoppedBy === 'capacity') {
      throw new OperationError(`stopped before a target ran out of room: ${alarm ?? 'a target is nearly full'}; ${summary.done}/${summary.planned} slots moved, nothing left open; make room, then: slotpilot resume --journal ${journal}`);
    }
    if (summary.failed) {
      throw new OperationError(`${summary.failed} slot(s) failed, ${summary.notStarted} not started; after fixing the cause: slotpilot resume --journal ${journal}`);
    }
    return summary;
  } finally {
    // Once interrupted, the process is on its way out with 130: keep listening, or a second Ctrl-C
    // landing just after the graceful stop would kill it by signal (no exit code) instead.
    if (signals === 0) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
}
