import { describe, expect, it } from 'vitest';
import { makePlan } from '../../../src/planner/make-plan.js';
import { adjust, fieldsOf, goalOf, initialBuilder, mastersInOrder, moveCursor, type BuilderState } from '../../../src/ui/builder-state.js';
import { RunTracker } from '../../../src/ui/run-tracker.js';
import { foldRunStates, foldSlots } from '../../../src/ui/slot-map.js';
import { A, B, C, D, FOUR_MASTERS, liveTopology } from './fixtures.js';

describe('slot map folding', () => {
  it('shows the majority owner per cell', () => {
    const cells = foldSlots((s) => (s < 8192 ? 'A' : 'B'), 4);
    expect(cells).toEqual(['A', 'A', 'B', 'B']);
    // 100 slots of B inside a cell of 4096 slots lose to A's majority.
    expect(foldSlots((s) => (s >= 100 && s < 200 ? 'B' : 'A'), 4)).toEqual(['A', 'A', 'A', 'A']);
  });

  it('run states fold by priority: one failed slot shows in a cell of done ones', () => {
    const cells = foldRunStates((s) => (s === 5000 ? 'failed' : s < 8192 ? 'done' : s === 9000 ? 'flight' : 'pending'), 4);
    expect(cells).toEqual(['done', 'failed', 'flight', 'pending']);
  });
});

describe('builder state', () => {
  const masters = mastersInOrder(liveTopology());

  it('offers "fill new masters" when one has no slot, plain rebalance otherwise', () => {
    expect(initialBuilder(masters).strategy).toBe('fill');
    const full = mastersInOrder(liveTopology(FOUR_MASTERS.replace(`${D} 127.0.0.1:7003@17003 master - 0 0 4 connected`, `${D} 127.0.0.1:7003@17003 slave ${B} 0 0 4 connected`)));
    expect(initialBuilder(full).strategy).toBe('rebalance');
  });

  it('turns the form into the planner goal', () => {
    let s = initialBuilder(masters);
    expect(goalOf(s, masters)).toEqual({ strategy: 'rebalance', by: 'slots', weights: {}, threshold: 2, useEmptyMasters: true });
    s = moveCursor(moveCursor(moveCursor(s, masters, 1), masters, 1), masters, 1);
    expect(fieldsOf(s, masters)[s.cursor]).toBe(`weight:${A}`);
    s = adjust(s, masters, -1);
    expect(goalOf(s, masters)).toMatchObject({ weights: { [A]: 0.5 } });
  });

  it('never leaves a move with the same node at both ends', () => {
    let s: BuilderState = { ...initialBuilder(masters), strategy: 'drain', node: 1, target: 1 };
    s = adjust(s, masters, 1); // strategy: drain → move
    expect(s.strategy).toBe('move');
    expect(goalOf(s, masters)).toEqual({ strategy: 'move', from: B, to: C, count: 100 });
    s = { ...s, cursor: 1 }; // from
    s = adjust(s, masters, 1); // B → C would collide with the target: skips to D
    expect(goalOf(s, masters)).toMatchObject({ from: D, to: C });
  });

  it('clamps pickers when a refresh lost a master', () => {
    const s = { ...initialBuilder(masters), strategy: 'drain' as const, node: 3 };
    expect(goalOf(s, masters.slice(0, 3))).toMatchObject({ node: C });
  });
});

describe('run tracker', () => {
  const topology = liveTopology();
  const plan = makePlan(topology, { strategy: 'move', from: A, to: D, slots: [0, 1, 2] }, 'test');

  it('counts slots, keys and bytes (priced from the plan), in-flight rows and failures', () => {
    const t = new RunTracker(plan);
    const perKey = plan.moves[0]!.bytes / plan.moves[0]!.keys;
    expect(t.stateOf(0)).toBe('pending');
    expect(t.stateOf(3)).toBe('idle');
    t.add({ type: 'run-start', t: 1000, runId: 'r', slots: 3, keys: 18, bytes: 3600, concurrency: 8, journal: 'j', nodes: {} });
    t.add({ type: 'slot-start', t: 1000, slot: 0, from: A, to: D, keys: 6 });
    t.add({ type: 'slot-progress', t: 1100, slot: 0, moved: 4, bytes: 0, batch: 4, batchMs: 1 });
    expect(t.stateOf(0)).toBe('flight');
    expect(t.inFlight.get(0)).toMatchObject({ moved: 4, keys: 6 });
    expect(t.bytesMoved).toBeCloseTo(4 * perKey);
    t.add({ type: 'slot-done', t: 1200, slot: 0, from: A, to: D, keys: 6, ms: 200 });
    t.add({ type: 'slot-failed', t: 1300, slot: 1, from: A, to: D, code: 'BUSYKEY', reason: 'k exists', phase: 'keys' });
    expect([t.stateOf(0), t.stateOf(1), t.stateOf(2)]).toEqual(['done', 'failed', 'pending']);
    expect(t.inFlight.size).toBe(0);
    expect(t.failures).toEqual([{ slot: 1, code: 'BUSYKEY', reason: 'k exists' }]);
    const r = t.rateAndEta(3000);
    expect(r.elapsedSec).toBe(2);
    expect(r.keysPerSec).toBe(2);
    expect(r.slotsPerSec).toBe(0.5);
    expect(r.etaSec).toBeGreaterThan(0);
  });

  it('ETA is zero once the run ended and rates stop at the end', () => {
    const t = new RunTracker(plan);
    t.add({ type: 'run-start', t: 0, runId: 'r', slots: 3, keys: 18, bytes: 3600, concurrency: 8, journal: null, nodes: {} });
    t.add({ type: 'run-end', t: 4000, summary: { runId: 'r', planned: 3, done: 3, failed: 0, notStarted: 0, keys: 18, bytes: 0, ms: 4000, stoppedBy: null, exposure: { slotSeconds: 0.1, maxOpen: 3, closingBursts: 1 }, accounting: { planned: 18, moved: 18, found: 18, evicted: 0, expired: 0 } } });
    const r = t.rateAndEta(60_000);
    expect(r.etaSec).toBe(0);
    expect(r.elapsedSec).toBe(4);
  });
});
