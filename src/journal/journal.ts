import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import type { ExecutorEvent, RunHandle } from '../executor/events.js';
import { planSchema, type Move, type Plan } from '../planner/plan-schema.js';

/** Journals carry this version; readers refuse any other. */
export const JOURNAL_VERSION = 1;

/** The first line: what was run, against what. No secret is ever written (connection options stay out). */
export const journalHeaderSchema = z.object({
  kind: z.literal('slotpilot-journal'),
  version: z.literal(JOURNAL_VERSION),
  runId: z.string(),
  startedAt: z.string(),
  seed: z.string(),
  command: z.string(),
  options: z.object({ concurrency: z.number(), batch: z.number().nullable(), maxBlockMs: z.number(), replace: z.boolean() }),
  plan: planSchema,
});

/** Every later line is one executor event (node-rate events are left out). */
const eventSchema = z.looseObject({ type: z.string(), t: z.number() });

export type JournalHeader = z.infer<typeof journalHeaderSchema>;

export interface Journal {
  readonly header: JournalHeader;
  readonly events: readonly ExecutorEvent[];
  /** True when the last line was cut short (the process died while writing it). */
  readonly truncated: boolean;
}

/** `.slotpilot/journal-<UTC timestamp>.ndjson` under the working directory. */
export function defaultJournalPath(now: Date, cwd = process.cwd()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(cwd, '.slotpilot', `journal-${stamp}.ndjson`);
}

/** How long journal lines may wait in memory before they are written (see openJournal). */
export const JOURNAL_FLUSH_MS = 200;

/**
 * An append-only NDJSON file written in batches: the first line at once (before the cluster
 * changes), later lines every `flushMs`, whenever `append` is told to flush, at `close` and on
 * process exit — one synchronous write per line cost a run more CPU than its Redis commands. A
 * SIGKILL loses at most the last moment's lines. Shared by the slot-run and import journals.
 */
export function openNdjsonLog(path: string, first: unknown, flushMs = JOURNAL_FLUSH_MS): { append(line: unknown, flushNow?: boolean): void; flush(): void; close(): void } {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a', 0o600);
  writeSync(fd, `${JSON.stringify(first)}\n`);
  let open = true;
  let lines: string[] = [];
  const flush = (): void => {
    if (!open || !lines.length) return;
    const text = lines.join('');
    lines = [];
    writeSync(fd, text);
  };
  const timer = setInterval(flush, flushMs);
  timer.unref();
  process.on('exit', flush);
  return {
    append(line, flushNow = false) {
      if (!open) return;
      lines.push(`${JSON.stringify(line)}\n`);
      if (flushNow) flush();
    },
    flush,
    close() {
      if (!open) return;
      flush();
      clearInterval(timer);
      process.off('exit', flush);
      closeSync(fd);
      open = false;
    },
  };
}

/**
 * The run journal: header, then every event but node rates; failures, stops and the end are written
 * at once. Safe to lose the last moment's lines: `resume` trusts the live cluster, not the journal,
 * for where each slot is.
 */
export function openJournal(path: string, header: JournalHeader): { write(event: ExecutorEvent): void; flush(): void; close(): void } {
  const log = openNdjsonLog(path, header);
  return {
    write(event) {
      if (event.type === 'node-rate') return;
      log.append(event, event.type === 'slot-failed' || event.type === 'stopping' || event.type === 'run-end');
    },
    flush: log.flush,
    close: log.close,
  };
}

/** Record a run's events in a journal until it ends. */
export function attachJournal(handle: RunHandle, path: string, header: JournalHeader): void {
  const journal = openJournal(path, header);
  const off = handle.subscribe((event) => {
    journal.write(event);
    if (event.type === 'run-end') {
      off();
      journal.close();
    }
  });
}

export function readJournal(path: string): Journal {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read journal file ${path}`);
  }
  const lines = text.split('\n');
  const last = lines.pop();
  const truncated = last !== undefined && last.trim() !== '';
  if (!lines.length) throw new UsageError(`${path} is empty or not a slotpilot journal`);
  let first: unknown;
  try {
    first = JSON.parse(lines[0]!);
  } catch {
    throw new UsageError(`${path} is not a slotpilot journal (first line is not JSON)`);
  }
  const head = first as { kind?: unknown; version?: unknown };
  if (head?.kind !== 'slotpilot-journal') throw new UsageError(`${path} is not a slotpilot journal`);
  if (head.version !== JOURNAL_VERSION) throw new UsageError(`${path} is journal version ${String(head.version)}; this slotpilot reads version ${JOURNAL_VERSION}`);
  const header = journalHeaderSchema.safeParse(first);
  if (!header.success) {
    const issue = header.error.issues[0]!;
    throw new UsageError(`${path}: invalid journal header at ${issue.path.join('.')}: ${issue.message}`);
  }
  const events: ExecutorEvent[] = [];
  lines.slice(1).forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new UsageError(`${path} line ${i + 2} is not JSON`);
    }
    // `resume` appends a run of its own to the same file, starting with its own header.
    if ((json as { kind?: unknown })?.kind === 'slotpilot-journal') return;
    const parsed = eventSchema.safeParse(json);
    if (!parsed.success) throw new UsageError(`${path} line ${i + 2} is not a journal event`);
    events.push(parsed.data as unknown as ExecutorEvent);
  });
  return { header: header.data, events, truncated };
}

/** The moves a journal records as done: what `plan --strategy undo --undo-journal` reverses. */
export function appliedMoves(journal: Journal): Move[] {
  const done = new Set(journal.events.flatMap((e) => (e.type === 'slot-done' ? [e.slot] : [])));
  return journal.header.plan.moves.filter((m) => done.has(m.slot));
}

export type { Plan };
