import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RunSummary } from '../../../src/executor/events.js';
import { makePlan } from '../../../src/planner/make-plan.js';
import { App } from '../../../src/ui/App.js';
import { A, D, FakeController, KEY, liveTopology, settle } from './fixtures.js';

afterEach(() => cleanup());

const NODES = { [A]: '127.0.0.1:7000', [D]: '127.0.0.1:7003' };

/** The app on a confirmed 5-slot move A → D, started with `y`: the run view on a scripted run. */
async function running() {
  const topology = liveTopology();
  const plan = makePlan(topology, { strategy: 'move', from: A, to: D, slots: [0, 1, 2, 3, 4] }, 'test');
  const controller = new FakeController(topology);
  const onExit = vi.fn();
  const app = render(<App controller={controller} initial={topology} plan={plan} refreshMs={0} frameMs={5} onExit={onExit} />);
  await settle(app.stdin);
  app.stdin.write('y');
  await vi.waitFor(() => expect(controller.runs).toHaveLength(1));
  const run = controller.runs[0]!;
  const frame = async (expected: RegExp): Promise<string> => {
    await vi.waitFor(() => expect(app.lastFrame()).toMatch(expected), { timeout: 3000 });
    return app.lastFrame()!;
  };
  // Keys go to the screen React last committed: wait for the run screen before pressing any.
  await frame(/· run\n/);
  return { app, run, plan, controller, onExit, frame };
}

const t = Date.now();
const summary = (patch: Partial<RunSummary> = {}): RunSummary => ({ runId: 'r1', planned: 5, done: 5, failed: 0, notStarted: 0, keys: 30, bytes: 0, ms: 2000, stoppedBy: null, exposure: { slotSeconds: 0.5, maxOpen: 5, closingBursts: 2 }, accounting: { planned: 30, moved: 30, found: 30, evicted: 0, expired: 0 }, ...patch });

describe('execution view', () => {
  it('shows pre-flight, then progress with rates, node rates, the slot map by state, in-flight slots and errors', async () => {
    const { run, frame } = await running();
    run.emit({ type: 'preflight', t, message: 'waiting for every node to agree' });
    await frame(/pre-flight.*\n[\s\S]*waiting for every node to agree/);
    run.emit(
      { type: 'run-start', t, runId: 'r1', slots: 5, keys: 30, bytes: 6000, concurrency: 512, journal: '/tmp/j.ndjson', nodes: NODES },
      ...[0, 1, 2, 3].map((slot) => ({ type: 'slot-start' as const, t, slot, from: A, to: D, keys: 6 })),
      { type: 'slot-progress', t, slot: 0, moved: 3, bytes: 0, batch: 3, batchMs: 1 },
      { type: 'slot-progress', t, slot: 1, moved: 6, bytes: 0, batch: 6, batchMs: 1 },
      { type: 'slot-done', t, slot: 1, from: A, to: D, keys: 6, ms: 5 },
      { type: 'node-rate', t, node: A, inKeysPerSec: 0, outKeysPerSec: 1234 },
      { type: 'node-rate', t, node: D, inKeysPerSec: 1234, outKeysPerSec: 0 },
      { type: 'slot-failed', t, slot: 2, from: A, to: D, code: 'BUSYKEY', reason: 'key user:1 already exists on 127.0.0.1:7003', phase: 'keys' },
    );
    const f = await frame(/1 failed/);
    expect(f).toMatch(/moving slots · running · concurrency 512 \(\d+ open\) · elapsed/);
    expect(f).toMatch(/slots +█+░+ +20% 1\/5 · [\d.,]+\/s · 1 failed/);
    // 9 of 30 keys, and bytes priced at the plan's bytes per key (the executor reports none).
    expect(f).toMatch(/keys +█+░+ +30% 9\/30/);
    expect(f).toMatch(/bytes +█+░+ +34% 2\.0 KB\/5\.9 KB/);
    expect(f).toMatch(/127\.0\.0\.1:7000 +0 +1,234/);
    expect(f).toMatch(/127\.0\.0\.1:7003 +1,234 +0/);
    expect(f).toMatch(/planned slots: ░ pending {2}▒ in flight {2}█ done {2}✗ failed/);
    // Slots 0-4 fold into the first cell; a failure shows before anything else.
    expect(f).toMatch(/^✗·+$/m);
    expect(f).toMatch(/in flight \(2\), keys moved \/ keys at start:/);
    expect(f).toMatch(/slot +0 127\.0\.0\.1:7000 → 127\.0\.0\.1:7003 · 3\/6 keys/);
    // 24 rows leave room for one in-flight row; the whole frame fits with a spare line.
    expect(f.split('\n').length).toBeLessThan(24);
    expect(f).toMatch(/slot 2 \(BUSYKEY\): key user:1 already exists on 127\.0\.0\.1:7003/);
    expect(f).toMatch(/ p +pause +r +resume +\+\/- +concurrency +a +abort \(finish in flight\) +q +quit when finished/);
  });

  it("says when a target's copy with the source's value was overwritten", async () => {
    const { run, frame } = await running();
    run.emit({ type: 'run-start', t, runId: 'r1', slots: 5, keys: 30, bytes: 6000, concurrency: 512, journal: null, nodes: NODES });
    run.emit({ type: 'same-copy', t, slot: 3, from: A, to: D, keys: 2, key: 'user:7' });
    await frame(/^slot 3: key "user:7" and 1 more already on 127\.0\.0\.1:7003 with the source's value/m);
  });

  it('steers the run with p, r, +, -, a; q does nothing until the run ends', async () => {
    const { app, run, onExit, frame } = await running();
    run.emit({ type: 'run-start', t, runId: 'r1', slots: 5, keys: 30, bytes: 6000, concurrency: 512, journal: null, nodes: NODES });
    for (const k of ['p', 'r', '+', '-', '-']) app.stdin.write(k);
    await vi.waitFor(() => expect(run.calls).toEqual(['pause', 'resume', 'concurrency 1024', 'concurrency 512', 'concurrency 256']));
    run.emit({ type: 'paused', t }, { type: 'concurrency', t, value: 256 });
    await frame(/· paused · concurrency 256 \(\d+ open\)/);
    run.emit({ type: 'pace', t, mode: 'gentle', clientOpsPerSec: 900 });
    await frame(/· paused \(gentle: clients active\) · concurrency 256 \(\d+ open\)/);
    run.emit({ type: 'pace', t, mode: 'fast', clientOpsPerSec: 0 });
    await frame(/· paused · concurrency 256 \(\d+ open\)/);
    app.stdin.write('q');
    app.stdin.write('a');
    await vi.waitFor(() => expect(run.calls.at(-1)).toBe('abort'));
    expect(onExit).not.toHaveBeenCalled();
    run.emit({ type: 'stopping', t, message: 'finishing the slots in flight, starting no more' });
    await frame(/· stopping ·[\s\S]*finishing the slots in flight, starting no more/);
  });

  it('Ctrl-C stops gently first, at once the second time', async () => {
    const { app, run } = await running();
    run.emit({ type: 'run-start', t, runId: 'r1', slots: 5, keys: 30, bytes: 6000, concurrency: 512, journal: null, nodes: NODES });
    app.stdin.write(KEY.ctrlC);
    await vi.waitFor(() => expect(run.calls).toEqual(['abort']));
    run.emit({ type: 'stopping', t, message: 'finishing the slots in flight, starting no more' });
    await vi.waitFor(() => {
      app.stdin.write(KEY.ctrlC);
      expect(run.calls).toContain('abort now');
    });
  });

  it('a refused pre-flight says why and nothing moved; esc goes back', async () => {
    const { run, app, frame } = await running();
    run.refuse(new Error('the plan no longer matches the cluster: slot 3 is owned by 127.0.0.1:7001'));
    await frame(/✗ the plan no longer matches the cluster: slot 3 is owned by 127\.0\.0\.1:7001/);
    await frame(/nothing was changed by this attempt/);
    app.stdin.write(KEY.escape);
    await frame(/· overview/);
  });
});

describe('summary', () => {
  it('shows before → after from the cluster, throughput, no failures, the journal; q quits with the outcome', async () => {
    const { run, app, onExit, controller, frame } = await running();
    run.emit({ type: 'run-start', t, runId: 'r1', slots: 5, keys: 30, bytes: 6000, concurrency: 512, journal: '/tmp/j.ndjson', nodes: NODES });
    for (const slot of [0, 1, 2, 3, 4]) run.emit({ type: 'slot-progress', t, slot, moved: 6, bytes: 0, batch: 6, batchMs: 1 }, { type: 'slot-done', t, slot, from: A, to: D, keys: 6, ms: 5 });
    // What the cluster looks like afterwards, as the summary reads it.
    controller.topology = liveTopology(undefined, 6, {
      slotOwners: liveTopology().slotOwners.map((o, s) => (s < 5 ? D : o)),
    });
    run.finish(summary());
    const f = await frame(/· summary/);
    expect(f).toMatch(/✓ done: 5\/5 slots moved in 2\.0 s/);
    expect(f).toMatch(/throughput 3 slots\/s · 15 keys\/s · 3\.4 KB\/s \(30 keys, ~6\.8 KB\)/);
    expect(f).toMatch(/per master, before → after \(read from the cluster\)/);
    expect(f).toMatch(/127\.0\.0\.1:7000 .* 5,461 → 5,456 slots/);
    expect(f).toMatch(/127\.0\.0\.1:7003 .* 0 → 5 slots/);
    expect(f).toMatch(/no failures/);
    expect(f).toMatch(/journal \/tmp\/j\.ndjson/);
    expect(f).toMatch(/ o +overview +q +quit/);
    app.stdin.write('q');
    await vi.waitFor(() => expect(onExit).toHaveBeenCalledWith({ summary: summary(), journal: '/tmp/j.ndjson' }));
  });

  it('after a failure: what failed, what did not start, and how to finish', async () => {
    const { run, frame } = await running();
    run.emit(
      { type: 'run-start', t, runId: 'r1', slots: 5, keys: 30, bytes: 6000, concurrency: 512, journal: '/tmp/j.ndjson', nodes: NODES },
      { type: 'slot-failed', t, slot: 2, from: A, to: D, code: 'TIMEOUT', reason: 'MIGRATE timed out on key big:1 (80 MB)', phase: 'keys' },
    );
    run.finish(summary({ done: 2, failed: 1, notStarted: 2, keys: 12, stoppedBy: 'failure' }));
    const f = await frame(/· summary/);
    expect(f).toMatch(/✗ stopped after a failure: 2\/5 slots moved/);
    expect(f).toMatch(/1 failed, 2 not started · finish with: slotpilot resume --journal \/tmp\/j\.ndjson/);
    expect(f).toMatch(/slot 2 \(TIMEOUT\): MIGRATE timed out on key big:1 \(80 MB\)/);
  });

  it('o goes back to an overview read afresh', async () => {
    const { run, app, controller, frame } = await running();
    run.emit({ type: 'run-start', t, runId: 'r1', slots: 5, keys: 30, bytes: 6000, concurrency: 512, journal: null, nodes: NODES });
    run.finish(summary());
    await frame(/· summary/);
    const reads = controller.reads;
    app.stdin.write('o');
    await frame(/· overview/);
    await vi.waitFor(() => expect(controller.reads).toBeGreaterThan(reads));
  });
});
