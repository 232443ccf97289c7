import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lifecycleHeader, movesJournalPath, openLifecycleJournal, parseLifecycleJournal } from '../../../src/lifecycle/journal.js';

describe('lifecycle journal', () => {
  it('writes a versioned header and one event per line, read back as written', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'slotpilot-lj-')), 'remove.ndjson');
    const j = openLifecycleJournal(path, lifecycleHeader('remove-node', '127.0.0.1:7000', { node: '127.0.0.1:7001', shutdown: true }, movesJournalPath(path)));
    j.write({ type: 'step', t: 1, step: 'forget', status: 'done', message: 'forgot' });
    j.write({ type: 'lifecycle-end', t: 2, ok: true, message: 'removed' });
    j.close();
    const parsed = parseLifecycleJournal(readFileSync(path, 'utf8'), path);
    expect(parsed.header).toMatchObject({ kind: 'slotpilot-lifecycle-journal', version: 1, command: 'remove-node', request: { node: '127.0.0.1:7001' }, movesJournal: path.replace(/\.ndjson$/, '.moves.ndjson') });
    expect(parsed.events).toHaveLength(2);
    expect(parsed.end).toMatchObject({ ok: true });
  });

  it('refuses other versions and other files; tolerates a last line cut short', () => {
    expect(() => parseLifecycleJournal('{"kind":"slotpilot-lifecycle-journal","version":2}\n')).toThrow(/version 2; this slotpilot reads version 1/);
    expect(() => parseLifecycleJournal('{"kind":"slotpilot-journal","version":1}\n')).toThrow(/not a slotpilot lifecycle journal/);
    const cut = '{"kind":"slotpilot-lifecycle-journal","version":1}\n{"type":"step","t":1,"step":"meet","status":"done","message":"m"}\n{"type":"lifecy';
    expect(parseLifecycleJournal(cut)).toMatchObject({ end: null, events: [{ step: 'meet' }] });
  });
});
