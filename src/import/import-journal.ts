import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
  readonly from: string;
  readonly db: number;
  readonly match: string | null;
  readonly mode: ImportMode;
  readonly replace: boolean;
  readonly batch: number;
  readonly inFlight: number;
  readonly method: 'migrate' | 'restore';
}

/** `.slotpilot/import-<UTC timestamp>.ndjson` under the working directory. */
export function defaultImportJournalPath(now: Date, cwd = process.cwd()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return join(cwd, '.slotpilot', `import-${stamp}.ndjson`);
}

/** How long lines may wait in memory: one synchronous write per batch would cost the run CPU. */
const FLUSH_MS = 200;

/**
 * Append every event of a run to the journal: the header at once (before anything is written to the
 * cluster), events every FLUSH_MS, at once for conflicts, failures, stops and the end. A re-run after
 * an interruption does not need it (the source and the cluster say what is left); it is the audit
 * trail of what was imported and what stopped it.
 */
export function attachImportJournal(handle: ImportHandle, path: string, header: ImportJournalHeader): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a', 0o600);
  writeSync(fd, `${JSON.stringify(header)}\n`);
  let lines: string[] = [];
  let open = true;
  const flush = (): void => {
    if (!open || !lines.length) return;
    const text = lines.join('');
    lines = [];
    writeSync(fd, text);
  };
  const timer = setInterval(flush, FLUSH_MS);
  timer.unref();
  process.on('exit', flush);
  const off = handle.subscribe((event: ImportEvent) => {
    lines.push(`${JSON.stringify(event)}\n`);
    if (event.type !== 'batch-done') flush();
    if (event.type === 'import-end') {
      off();
      clearInterval(timer);
      process.off('exit', flush);
      open = false;
      closeSync(fd);
    }
  });
}
