import { randomUUID } from 'node:crypto';
import { openNdjsonLog } from '../journal/journal.js';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
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
 * Append-only journal, every event written at once: a lifecycle command emits a few dozen events
 * (sync progress at most once a second), so durability costs nothing here.
 */
export function openLifecycleJournal(path: string, header: LifecycleJournalHeader): { write(event: LifecycleEvent): void; close(): void } {
  const log = openNdjsonLog(path, header);
  return {
    write: (event) => log.append(event, true),
    close: log.close,
  };
}

export interface LifecycleJournal {
  readonly header: LifecycleJournalHeader;
  readonly events: readonly LifecycleEvent[];
  /** The last `lifecycle-end`, or null when the run was cut off before it (SIGKILL, power loss). */
  readonly end: Extract<LifecycleEvent, { type: 'lifecycle-end' }> | null;
}

/**
 * Parse a lifecycle journal's text. Refuses (UsageError) anything that is not one, and other
 * versions; a last line cut short by a crash is ignored.
 */
export function parseLifecycleJournal(text: string, path = 'journal'): LifecycleJournal {
  const lines = text.split('\n').filter((l) => l.trim());
  const parse = (line: string, n: number): Record<string, unknown> | null => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (n === lines.length - 1 && n > 0) return null;
      throw new UsageError(`${path} line ${n + 1} is not JSON`);
    }
  };
  const head = lines.length ? parse(lines[0]!, 0) : null;
  if (head?.kind !== 'slotpilot-lifecycle-journal') throw new UsageError(`${path} is not a slotpilot lifecycle journal`);
  if (head.version !== LIFECYCLE_JOURNAL_VERSION) throw new UsageError(`${path} is lifecycle journal version ${String(head.version)}; this slotpilot reads version ${LIFECYCLE_JOURNAL_VERSION}`);
  const events = lines
    .slice(1)
    .map((l, i) => parse(l, i + 1))
    .filter((e): e is Record<string, unknown> => e !== null && typeof e.type === 'string') as unknown as LifecycleEvent[];
  const end = [...events].reverse().find((e) => e.type === 'lifecycle-end') ?? null;
  return { header: head as unknown as LifecycleJournalHeader, events, end: end as LifecycleJournal['end'] };
}
