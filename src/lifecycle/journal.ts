import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LifecycleCommand, LifecycleEvent } from './events.js';

/** Lifecycle journals carry this version; readers refuse any other. */
export const LIFECYCLE_JOURNAL_VERSION = 1;

/**
 * First line of a lifecycle journal: what was asked, against what. Only addresses, node ids and
 * flags: connection options (passwords, TLS keys) never reach it.
 */
export interface LifecycleJournalHeader {
  readonly kind: 'slotpilot-lifecycle-journal';
  readonly version: typeof LIFECYCLE_JOURNAL_VERSION;
  readonly runId: string;
  readonly startedAt: string;
  readonly command: LifecycleCommand;
  readonly seed: string;
  readonly request: Readonly<Record<string, string | number | boolean | null>>;
  /** Executor journal of the slot moves this command ran (rebalance, drain), for `resume`. */
  readonly movesJournal: string | null;
}

/** `.slotpilot/<command>-<UTC timestamp>.ndjson` under the working directory. */
export function defaultLifecycleJournalPath(command: LifecycleCommand, now: Date, cwd = process.cwd()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(cwd, '.slotpilot', `${command}-${stamp}.ndjson`);
}

/** The executor journal next to a lifecycle journal: `x.ndjson` → `x.moves.ndjson`. */
export function movesJournalPath(path: string): string {
  return path.replace(/(\.ndjson)?$/, '.moves.ndjson');
}

export function lifecycleHeader(command: LifecycleCommand, seed: string, request: LifecycleJournalHeader['request'], movesJournal: string | null): LifecycleJournalHeader {
  return { kind: 'slotpilot-lifecycle-journal', version: LIFECYCLE_JOURNAL_VERSION, runId: randomUUID(), startedAt: new Date().toISOString(), command, seed, request, movesJournal };
}

/**
 * Append-only writer, one synchronous write per event: a lifecycle command emits a few dozen events
 * (sync progress at most once a second), so durability costs nothing here.
 */
export function openLifecycleJournal(path: string, header: LifecycleJournalHeader): { write(event: LifecycleEvent): void; close(): void } {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a', 0o600);
  writeSync(fd, `${JSON.stringify(header)}\n`);
  let open = true;
  return {
    write(event) {
      if (open) writeSync(fd, `${JSON.stringify(event)}\n`);
    },
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
