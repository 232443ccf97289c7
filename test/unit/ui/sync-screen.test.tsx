import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SourceStatus, SyncEvent, SyncHandle, SyncSummary } from '../../../src/sync/events.js';
import { SyncApp } from '../../../src/ui/sync/SyncApp.js';
import { SyncTracker } from '../../../src/ui/sync/sync-tracker.js';

afterEach(() => cleanup());

const t = Date.now();
const status = (patch: Partial<SourceStatus>): SourceStatus => ({ source: '127.0.0.1:6379', phase: 'full-sync', replid: 'a'.repeat(40), masterOffset: 1000, receivedOffset: 900, appliedOffset: 800, lagBytes: 200, lagSeconds: 0.25, rdbBytes: 5 << 20, rdbTotal: 10 << 20, keys: 12_345, commands: 0, skipped: 0, splitTransactions: 0, bufferedBytes: 0, spilledBytes: 0, executeP50Ms: null, executeP99Ms: null, requestMs: null, ...patch });

/** A scripted run: events are emitted by the test, `interrupt` is recorded. */
function scripted() {
  const listeners = new Set<(e: SyncEvent) => void>();
  let end!: (s: SyncSummary) => void;
  const handle: SyncHandle & { emit(e: SyncEvent): void } = {
    subscribe: (l) => (listeners.add(l), () => listeners.delete(l)),
    interrupt: vi.fn(),
    done: new Promise<SyncSummary>((r) => (end = r)),
    failure: () => null,
    emit: (e) => listeners.forEach((l) => l(e)),
  };
  return { handle, end: (s: SyncSummary) => end(s) };
}

describe('sync screen', () => {
  it('shows each source with its phase, snapshot bytes, keys and lag, then the cut-over; q stops the run', async () => {
    const { handle, end } = scripted();
    const tracker = new SyncTracker();
    handle.subscribe((e) => tracker.apply(e));
    const app = render(<SyncApp handle={handle} tracker={tracker} frameMs={5} />);
    handle.emit({ type: 'sync-start', t, seed: '127.0.0.1:7000', from: '127.0.0.1:6379', sources: ['127.0.0.1:6379', '127.0.0.1:6380'], db: 0, match: null, masters: {}, journal: '/tmp/j.ndjson', mode: 'cutover', estimate: { saveSec: 1, transferLoadSec: 2, totalSec: 3, keys: 10, usedMemory: 100 } });
    handle.emit({ type: 'lag', t, ...status({}) });
    handle.emit({ type: 'lag', t, ...status({ source: '127.0.0.1:6380', phase: 'streaming', commands: 42, lagBytes: 0, lagSeconds: 0 }) });
    const frame = async (re: RegExp): Promise<string> => {
      await vi.waitFor(() => expect(app.lastFrame()).toMatch(re), { timeout: 3000 });
      return app.lastFrame()!;
    };
    const f = await frame(/6380/);
    expect(f).toMatch(/slotpilot sync · 127\.0\.0\.1:6379 → 127\.0\.0\.1:7000 · syncing · cutover/);
    expect(f).toMatch(/127\.0\.0\.1:6379 +full-sync +█+░+ +5\.0 MB · lag 200 B \/ 0\.25 s · keys 12,345/);
    expect(f).toMatch(/127\.0\.0\.1:6380 +streaming .*lag 0 B \/ 0\.00 s · keys 12,345 · cmds 42/);
    handle.emit({ type: 'cutover', t, stage: 'in-sync', offsets: {}, pausedMs: 120, message: 'in sync at offset 1000; source writes paused for 0.1 s — point clients at the cluster' });
    await frame(/cut-over: in sync at offset 1000/);
    app.stdin.write('q');
    await vi.waitFor(() => expect(handle.interrupt).toHaveBeenCalled());
    end({ stoppedBy: 'cutover', failed: false, reason: null, sources: [], evicted: 0, ms: 1000 });
  });
});
