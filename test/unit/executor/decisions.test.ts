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
  it('starts from a cautious guess by the bytes per key, and keeps a fixed --batch', () => {
    const s = new BatchSizer(2, null);
    expect(s.next('a', 200)).toBe(Math.floor(2 / BatchSizer.guessMsPerKey(200)));
    expect(s.next('a', 1_000_000)).toBe(BatchSizer.MIN);
    expect(new BatchSizer(2, 7).next('a')).toBe(7);
    expect(() => new BatchSizer(0, null)).toThrow(/maxBlockMs/);
  });

  it('takes the wait per call apart from the keys: a wait that does not grow with the batch does not shrink it', () => {
    const s = new BatchSizer(1, null);
    // As measured on the bench: ~0.56 ms a call for 31 keys of ~100 bytes, mostly the wait for the target.
    s.recordServer('a', 100, 3100, 56);
    // A per-key model would give 1 ms / (0.56/31 ms) = 55 keys; the key cost leaves room for more,
    // up to twice the batches measured.
    expect(s.next('a', 100)).toBe(62);
    // A source not measured yet starts from the dearest source measured.
    s.recordServer('slowest', 100, 3000, 300);
    expect(s.next('new', 100)).toBe(s.next('slowest', 100));
  });

  it('over budget: shrinks in proportion when the keys cost it, holds the batch when the wait does', () => {
    // 40 keys of 25 KB in 2 ms a call: the keys, shrink in proportion.
    const heavy = new BatchSizer(1, null);
    heavy.recordServer('a', 10, 400, 20);
    expect(heavy.next('a', 25_000)).toBe(20);
    // 50 keys of 100 bytes in 2 ms a call: the wait; the batch given before holds.
    const slow = new BatchSizer(1, null);
    const first = slow.next('a', 100);
    slow.recordServer('a', 10, 500, 20);
    expect(slow.next('a', 100)).toBe(first);
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
  it('feeds the sizer the calls, keys and server time between two samples', async () => {
    const sizer = new BatchSizer(2, null);
    // Two samples: 4 calls carrying 100 keys took 2 ms on the server in between.
    const stats = [{ calls: 10, usec: 1000 }, { calls: 14, usec: 3000 }];
    const sampler = new ServerCostSampler(sizer, async () => stats.shift() ?? null, 0);
    const guess = sizer.next('s', 100);
    sampler.sent('s', 50);
    await new Promise((r) => setImmediate(r));
    sampler.sent('s', 100);
    await new Promise((r) => setImmediate(r));
    // 25 keys a call at 0.5 ms a call: the server's figures now size the batches (at most twice 25).
    expect(sizer.next('s', 100)).toBe(50);
    expect(guess).not.toBe(50);
  });
});
