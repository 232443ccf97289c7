import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attachImportJournal, defaultImportJournalPath, IMPORT_JOURNAL_VERSION, type ImportJournalHeader } from '../../../src/import/import-journal.js';
import type { ImportEvent, ImportHandle } from '../../../src/import/types.js';

/** A handle whose events the test pushes by hand. */
function fakeHandle(): ImportHandle & { push(e: ImportEvent): void } {
  const listeners = new Set<(e: ImportEvent) => void>();
  return {
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    interrupt() {},
    done: new Promise(() => {}),
    push(e) {
      for (const l of [...listeners]) l(e);
    },
  };
}

const header: ImportJournalHeader = { kind: 'slotpilot-import-journal', version: IMPORT_JOURNAL_VERSION, runId: 'r1', startedAt: '2026-01-01T00:00:00.000Z', seed: '127.0.0.1:7000', from: '127.0.0.1:6379', db: 0, match: null, mode: 'move', replace: false, batch: 1000, inFlight: 8, method: 'migrate' };

describe('import journal', () => {
  it('writes the versioned header at once, then every event, and is complete at import-end', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'slotpilot-ij-')), 'sub', 'j.ndjson');
    const handle = fakeHandle();
    attachImportJournal(handle, path, header);
    expect(JSON.parse(readFileSync(path, 'utf8').trim())).toEqual(header);
    handle.push({ type: 'conflict', t: 1, key: 'k', master: '127.0.0.1:7001' });
    // Conflicts are written at once, not after the flush interval.
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(2);
    const summary = { mode: 'move' as const, scanned: 1, restored: 0, alreadyPresent: 0, deleted: 0, skipped: 0, changedOnSource: 0, conflicts: 1, failed: true, stoppedBy: 'conflict' as const, ms: 5 };
    handle.push({ type: 'import-end', t: 2, summary, verify: null });
    handle.push({ type: 'stopping', t: 3, message: 'after the end: not written' });
    const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type?: string });
    expect(lines.map((l) => l.type ?? 'header')).toEqual(['header', 'conflict', 'import-end']);
  });

  it('defaults to .slotpilot/import-<UTC time>.ndjson', () => {
    expect(defaultImportJournalPath(new Date('2026-11-25T19:00:00.123Z'), '/w')).toBe('/w/.slotpilot/import-20261125T190000Z.ndjson');
  });
});
