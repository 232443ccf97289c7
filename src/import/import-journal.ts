import { openNdjsonLog } from '../journal/journal.js';
import { join } from 'node:path';
import type { ImportEvent, ImportHandle, ImportMode } from './types.js';

/** Import journals carry this version; a reader must refuse any other. */
export const IMPORT_JOURNAL_VERSION = 1;

/** The first line: what was imported from where, with which rules. No connection option (secret) is written. */
export interface ImportJournalHeader {
  readonly kind: 'slotpilot-import-journal';
  readonly version: typeof IMPORT_JOURNAL_VERSION;
  readonly runId: string;
  readonly startedAt: string;
  readonly seed: string;
  /** The source's `host:port`, or the RDB file's path. */
  readonly from: string;
  readonly db: number;
  readonly match: string | null;
  readonly mode: ImportMode;
  readonly replace: boolean;
  readonly batch: number;
  readonly inFlight: number;
  readonly method: 'migrate' | 'restore' | 'rdb';
}

/** A header for a run starting now: the fields every import journal starts with, then `run`'s own. */
export function importJournalHeader(run: Omit<ImportJournalHeader, 'kind' | 'version' | 'runId' | 'startedAt'>): ImportJournalHeader {
  return { kind: 'slotpilot-import-journal', version: IMPORT_JOURNAL_VERSION, runId: `${Date.now().toString(36)}-${process.pid}`, startedAt: new Date().toISOString(), ...run };
}

/** `.slotpilot/import-<UTC timestamp>.ndjson` under the working directory. */
export function defaultImportJournalPath(now: Date, cwd = process.cwd()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(cwd, '.slotpilot', `import-${stamp}.ndjson`);
}

/**
 * Append every event of a run to the journal: the header at once (before anything is written to the
 * cluster), events in batches, at once for conflicts, failures, stops and the end. A re-run after
 * an interruption does not need it (the source and the cluster say what is left); it is the audit
 * trail of what was imported and what stopped it.
 */
export function attachImportJournal(handle: ImportHandle, path: string, header: ImportJournalHeader): void {
  const log = openNdjsonLog(path, header);
  const off = handle.subscribe((event: ImportEvent) => {
    log.append(event, event.type !== 'batch-done');
    if (event.type === 'import-end') {
      off();
      log.close();
    }
  });
}
