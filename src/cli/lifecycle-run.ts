import { messageOf } from '../errors.js';
import { DEFAULT_CONCURRENCY, DEFAULT_MAX_BLOCK_MS, DEFAULT_MIGRATES_PER_SOURCE, DEFAULT_CLOSE_EVERY_MS, DEFAULT_PER_NODE } from '../executor/run-plan.js';
import type { LifecycleDeps } from '../lifecycle/add-node.js';
import type { LifecycleCommand, LifecycleEvent } from '../lifecycle/events.js';
import { defaultLifecycleJournalPath, lifecycleHeader, movesJournalPath, openLifecycleJournal, type LifecycleJournalHeader } from '../lifecycle/journal.js';
import type { StepContext } from '../lifecycle/join-steps.js';
import { formatAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import { formatLifecycleEvent } from '../report/lifecycle-reporter.js';
import { confirm, executePlan, type ApplyArgs } from './apply-options.js';
import { DEFAULT_NICE } from '../util/priority.js';
import { printLine } from './output.js';

/** Apply options as the lifecycle commands take them (replace-node moves no slot and has fewer). */
export type LifecycleArgs = Pick<ApplyArgs, 'yes' | 'json' | 'journal'> & Partial<ApplyArgs>;

/**
 * Run one lifecycle command from the CLI: events to plain lines (or NDJSON with --json) and to an
 * append-only journal, the executor for slot moves (its own journal next to ours, for `resume`),
 * confirmation, and a final `lifecycle-end` event whether it succeeded or not. Rethrows the error so
 * the top-level catch prints its one line and picks the exit code.
 */
export async function runLifecycle(
  command: LifecycleCommand,
  args: LifecycleArgs,
  seed: HostPort,
  conn: ConnectionOptions,
  request: LifecycleJournalHeader['request'],
  body: (ctx: StepContext, deps: LifecycleDeps) => Promise<string>,
): Promise<void> {
  const path = args.journal ?? defaultLifecycleJournalPath(command, new Date());
  // replace-node moves no slot one by one: no executor journal to point at.
  const moves = command === 'replace-node' ? null : movesJournalPath(path);
  // A closed pipe (`| head`) must not kill a command half-way through a removal: the journal still
  // records every event, and the work goes on.
  process.stdout.on('error', () => {});
  let journal: ReturnType<typeof openLifecycleJournal> | null = null;
  const out = (e: LifecycleEvent): void => {
    if (args.json) process.stdout.write(`${JSON.stringify(e)}\n`);
    else {
      const line = formatLifecycleEvent(e);
      if (line !== null) printLine(line);
    }
  };
  // Nothing is journaled before the cluster is about to change: a refusal leaves no file behind.
  const pending: LifecycleEvent[] = [];
  const emit = (e: LifecycleEvent): void => {
    out(e);
    if (journal) journal.write(e);
    else pending.push(e);
  };
  const openJournalNow = (): void => {
    if (journal) return;
    journal = openLifecycleJournal(path, lifecycleHeader(command, formatAddr(seed), request, moves));
    for (const e of pending.splice(0)) journal.write(e);
  };
  // While the executor runs a plan it owns Ctrl-C (graceful stop, then resume); between plans every
  // step is safe to cut short, because a re-run reads where the cluster is and continues.
  let planRunning = false;
  const onSignal = (): void => {
    if (planRunning) return;
    const message = `interrupted; the cluster is consistent, re-run the same ${command} command to continue`;
    if (journal) emit({ type: 'lifecycle-end', t: Date.now(), ok: false, message });
    (journal as ReturnType<typeof openLifecycleJournal> | null)?.close();
    process.stderr.write(`slotpilot: ${message}\n`);
    process.exit(130);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const deps: LifecycleDeps = {
    async confirm(question) {
      await confirm(question, args.yes);
      openJournalNow();
      emit({ type: 'lifecycle-start', t: Date.now(), command, seed: formatAddr(seed), journal: path });
    },
    async applyPlan(plan) {
      const applyArgs: ApplyArgs = {
        yes: true,
        json: args.json,
        concurrency: args.concurrency ?? DEFAULT_CONCURRENCY,
        perNode: args.perNode ?? DEFAULT_PER_NODE,
        perSource: args.perSource ?? DEFAULT_MIGRATES_PER_SOURCE,
        closeEvery: args.closeEvery ?? DEFAULT_CLOSE_EVERY_MS,
        ...(args.introduceWait !== undefined ? { introduceWait: args.introduceWait } : {}),
        nice: args.nice ?? DEFAULT_NICE,
        maxBlockMs: args.maxBlockMs ?? DEFAULT_MAX_BLOCK_MS,
        replace: args.replace ?? false,
        ignoreCapacity: args.ignoreCapacity ?? false,
        journal: moves ?? movesJournalPath(path),
        ...(args.batch !== undefined ? { batch: args.batch } : {}),
      };
      planRunning = true;
      try {
        await executePlan(plan, applyArgs, { seed, connection: conn }, command);
      } finally {
        planRunning = false;
      }
    },
  };
  try {
    const outcome = await body({ seed, conn, emit }, deps);
    if (journal) emit({ type: 'lifecycle-end', t: Date.now(), ok: true, message: outcome });
    else out({ type: 'lifecycle-end', t: Date.now(), ok: true, message: outcome });
  } catch (error) {
    if (journal) emit({ type: 'lifecycle-end', t: Date.now(), ok: false, message: messageOf(error) });
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    (journal as ReturnType<typeof openLifecycleJournal> | null)?.close();
  }
}
