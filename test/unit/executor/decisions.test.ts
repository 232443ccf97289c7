import { describe, expect, it } from 'vitest';
import { BatchSizer, ServerCostSampler } from '../../../src/executor/batch-sizer.js';
import type { SlotPhase } from '../../../src/executor/events.js';
import { decideFixes } from '../../../src/executor/fix-plan.js';
import { decideSlotAction, IllegalTransitionError, leavesSlotOpen, transition } from '../../../src/executor/slot-state.js';
import { topologyFromClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

describe('decideSlotAction', () => {
  it.each([
    [{ ownerOnSource: A, ownerOnTarget: A, sourceMigrating: false, targetImporting: false }, 'move'],
    [{ ownerOnSource: A, ownerOnTarget: A, sourceMigrating: true, targetImporting: true }, 'move'],
    [{ ownerOnSource: A, ownerOnTarget: B, sourceMigrating: true, targetImporting: false }, 'assign'],
    [{ ownerOnSource: B, ownerOnTarget: A, sourceMigrating: false, targetImporting: true }, 'assign'],
    [{ ownerOnSource: B, ownerOnTarget: B, sourceMigrating: false, targetImporting: false }, 'done'],
    [{ ownerOnSource: C, ownerOnTarget: C, sourceMigrating: false, targetImporting: false }, 'conflict'],
  ])('%j → %s', (o, action) => {
    expect(decideSlotAction(o, A, B)).toBe(action);
  });
});

describe('decideFixes', () => {
  const base = (slots: string, extraA = '', extraB = '') =>
    topologyFromClusterNodes([`${A} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected ${slots}${extraA}`, `${B} 127.0.0.1:7001@17001 master - 0 0 2 connected 8192-16383${extraB}`].join('\n'));
  it('finishes a migrating slot in its recorded direction', () => {
    const t = base('0-8191', ` [5->-${B}]`, ` [5-<-${A}]`);
    expect(decideFixes(t, () => 0)).toEqual([expect.objectContaining({ slot: 5, kind: 'finish', from: A, to: B })]);
  });
  it('closes an importing slot that received nothing, finishes one that did', () => {
    const t = base('0-8191', '', ` [5-<-${A}]`);
    expect(decideFixes(t, () => 0)[0]).toMatchObject({ kind: 'close', node: B });
    expect(decideFixes(t, () => 3)[0]).toMatchObject({ kind: 'finish', from: A, to: B });
  });
  it('refuses a slot migrating to one node and imported by another', () => {
    const t = topologyFromClusterNodes(
      [`${A} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-8191 [5->-${B}]`, `${B} 127.0.0.1:7001@17001 master - 0 0 2 connected 8192-16000`, `${C} 127.0.0.1:7002@17002 master - 0 0 3 connected 16001-16383 [5-<-${A}]`].join('\n'),
    );
    expect(decideFixes(t, () => 0)[0]).toMatchObject({ kind: 'refuse' });
  });
});

describe('BatchSizer', () => {
  it('starts small, then sizes batches to the block budget, within bounds', () => {
    const s = new BatchSizer(2, null);
    expect(s.next('a')).toBe(BatchSizer.FIRST);
    s.record('a', 100, 1);
    expect(s.next('a')).toBe(200);
    s.record('b', 10, 100);
    expect(s.next('b')).toBe(BatchSizer.MIN);
    expect(new BatchSizer(2, 7).next('a')).toBe(7);
    // A source not measured yet starts from the dearest source measured on the server.
    s.recordServer('c', 100, 0.5);
    s.recordServer('d', 100, 1);
    expect(s.next('e')).toBe(200);
    expect(s.next('c')).toBe(400);
    // Before any source was timed, the plan's bytes per key give a cautious first batch.
    const fresh = new BatchSizer(2, null);
    expect(fresh.next('a', 200)).toBe(Math.floor(2 / BatchSizer.guessMsPerKey(200)));
    expect(fresh.next('a', 1_000_000)).toBe(BatchSizer.MIN);
    expect(() => new BatchSizer(0, null)).toThrow(/maxBlockMs/);
  });
});

describe('slot state machine', () => {
  it('allows the protocol order, the empty-slot and resume shortcuts, and failure from any live phase', () => {
    const path = ['importing', 'migrating', 'keys', 'assigning', 'done'] as const;
    let p: SlotPhase = 'pending';
    for (const next of path) p = transition(1, p, next);
    expect(p).toBe('done');
    expect(transition(1, 'migrating', 'assigning')).toBe('assigning');
    expect(transition(1, 'pending', 'assigning')).toBe('assigning');
    for (const live of ['pending', 'importing', 'migrating', 'keys', 'assigning'] as const) expect(transition(1, live, 'failed')).toBe('failed');
  });
  it('refuses steps out of order and any step after the end', () => {
    expect(() => transition(7, 'pending', 'migrating')).toThrow(IllegalTransitionError);
    expect(() => transition(7, 'importing', 'keys')).toThrow(/slot 7: importing → keys/);
    expect(() => transition(7, 'keys', 'done')).toThrow(IllegalTransitionError);
    for (const end of ['done', 'failed', 'skipped'] as const) expect(() => transition(7, end, 'importing')).toThrow(IllegalTransitionError);
  });
  it('says which phases leave a slot open for resume', () => {
    expect(['pending', 'importing', 'migrating', 'keys', 'assigning', 'done', 'failed'].filter((p) => leavesSlotOpen(p as SlotPhase))).toEqual(['importing', 'migrating', 'keys', 'assigning']);
  });
});

describe('ServerCostSampler', () => {
  it('sizes batches from server-side MIGRATE time between two samples', async () => {
    const sizer = new BatchSizer(2, null);
    const usec = [1000, 1000 + 100 * 10]; // 100 keys took 1 ms on the server: 10 µs per key
    const sampler = new ServerCostSampler(sizer, async () => ({ usec: usec.shift() ?? 0 }), 0);
    sizer.record('s', 10, 100); // a slow client-side timing, before any server figure
    expect(sizer.next('s')).toBe(BatchSizer.MIN);
    sampler.sent('s', 50);
    await new Promise((r) => setImmediate(r));
    sampler.sent('s', 100);
    await new Promise((r) => setImmediate(r));
    expect(sizer.next('s')).toBe(200);
    sizer.record('s', 10, 100); // client timings no longer count once the server has spoken
    expect(sizer.next('s')).toBe(200);
  });
});
