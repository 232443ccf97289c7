import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { openNdjsonLog } from '../journal/journal.js';
import type { SyncEvent, SyncHandle } from './events.js';
import type { Checkpoint } from './sync-source.js';

/** Sync journals carry this version; a reader refuses any other. */
export const SYNC_JOURNAL_VERSION = 1;

/** The first line of each run: what was synced from where. No connection option (secret) is written. */
export interface SyncJournalHeader {
  readonly kind: 'slotpilot-sync-journal';
  readonly version: typeof SYNC_JOURNAL_VERSION;
  readonly runId: string;
  readonly startedAt: string;
  readonly seed: string;
  /** `--from` as given (`host:port`): a journal only resumes the same source. */
  readonly from: string;
  readonly sources: readonly string[];
  readonly db: number;
  readonly match: string | null;
}

export function syncJournalHeader(run: Omit<SyncJournalHeader, 'kind' | 'version' | 'runId' | 'startedAt'>): SyncJournalHeader {
  return { kind: 'slotpilot-sync-journal', version: SYNC_JOURNAL_VERSION, runId: `${Date.now().toString(36)}-${process.pid}`, startedAt: new Date().toISOString(), ...run };
}

/** `.slotpilot/sync-<UTC timestamp>.ndjson` under the working directory. */
export function defaultSyncJournalPath(now: Date, cwd = process.cwd()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(cwd, '.slotpilot', `sync-${stamp}.ndjson`);
}

/** What a journal says: its first header and the last checkpoint of each source. */
export interface SyncJournal {
  readonly header: SyncJournalHeader;
  readonly checkpoints: ReadonlyMap<string, Checkpoint>;
}

/**
 * Read a sync journal to resume from: every run appends its own header and checkpoints, the last
 * checkpoint of each source wins. A file of another kind or version, or one whose source is not
 * `from`, is refused (exit 2): its offsets mean nothing to another source. A last line cut short
 * (the process died writing it) is ignored.
 */
export function readSyncJournal(path: string, from: string, db: number): SyncJournal {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read journal file ${path}`);
  }
  const lines = text.split('\n').filter((l) => l.trim());
  const parse = (line: string, n: number): Record<string, unknown> | null => {
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      if (n === lines.length - 1) return null;
      throw new UsageError(`${path} line ${n + 1} is not JSON`);
    }
  };
  const first = lines.length ? parse(lines[0]!, 0) : null;
  if (first?.kind !== 'slotpilot-sync-journal') throw new UsageError(`${path} is not a slotpilot sync journal`);
  if (first.version !== SYNC_JOURNAL_VERSION) throw new UsageError(`${path} is sync journal version ${String(first.version)}; this slotpilot reads version ${SYNC_JOURNAL_VERSION}`);
  const header = first as unknown as SyncJournalHeader;
  if (header.from !== from) throw new UsageError(`${path} is the journal of a sync from ${header.from}, not from ${from}; give another --journal`);
  if (header.db !== db) throw new UsageError(`${path} is the journal of a sync of database ${header.db}, not ${db}`);
  const checkpoints = new Map<string, Checkpoint>();
  lines.forEach((line, n) => {
    const e = parse(line, n);
    if (e?.type !== 'checkpoint') return;
    if (typeof e.source !== 'string' || typeof e.replid !== 'string' || typeof e.offset !== 'number' || typeof e.db !== 'number') throw new UsageError(`${path} line ${n + 1} is not a valid checkpoint`);
    checkpoints.set(e.source, { replid: e.replid, offset: e.offset, db: e.db });
  });
  return { header, checkpoints };
}

export const journalExists = (path: string): boolean => existsSync(path);

/**
 * Append a run's events to the journal: its header at once, checkpoints and everything that stops
 * the run at once, lag every tenth second (a sync may run for days), snapshot progress never.
 */
export function attachSyncJournal(handle: SyncHandle, path: string, header: SyncJournalHeader): void {
  const log = openNdjsonLog(path, header);
  let lags = 0;
  const off = handle.subscribe((e: SyncEvent) => {
    if (e.type === 'full-sync-progress') return;
    if (e.type === 'lag' && lags++ % 10) return;
    log.append(e, e.type !== 'lag');
    if (e.type === 'sync-end') {
      off();
      log.close();
    }
  });
}
