import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makePlan, type PlanGoal } from '../../../src/planner/make-plan.js';
import { serializePlan } from '../../../src/planner/plan-file.js';
import { integerTargets } from '../../../src/planner/balance.js';
import type { Topology, TopologyNode } from '../../../src/topology/types.js';

const SLOTS = 16384;
const id = (i: number): string => i.toString(16).padStart(40, '0');

/** A topology with masters owning contiguous runs of the given sizes, and some empty masters. */
function topology(sizes: readonly number[], empty: number, keysOf: (slot: number) => number): Topology {
  const owners: (string | null)[] = [];
  const nodes: TopologyNode[] = [];
  let next = 0;
  sizes.forEach((size, i) => {
    const start = next;
    next += size;
    for (let s = start; s < next; s++) owners.push(id(i + 1));
    nodes.push(node(i + 1, size ? [[start, next - 1]] : []));
  });
  for (let e = 0; e < empty; e++) nodes.push(node(sizes.length + e + 1, []));
  const slotKeys = Array.from({ length: SLOTS }, (_, s) => keysOf(s));
  return { seed: 'test', readAt: '2026-01-01T00:00:00Z', nodes, slotOwners: owners, slotKeys, openSlots: [], disagreements: [] };
}

function node(i: number, slots: Array<[number, number]>): TopologyNode {
  return {
    id: id(i), addr: `10.0.0.${i % 250}:${6000 + i}`, host: `10.0.0.${i % 250}`, port: 6000 + i, busPort: 16000 + i, flags: ['master'], role: 'master', masterId: null,
    pingSent: 0, pongRecv: 0, configEpoch: i, linkState: 'connected', slots, openSlots: [], reachable: true, replicas: [], clusterState: 'ok', keys: 0, usedMemory: 0,
  };
}

/** Random split of 16384 slots into n non-empty runs. */
const splits = fc.integer({ min: 1, max: 200 }).chain((n) =>
  fc.uniqueArray(fc.integer({ min: 1, max: SLOTS - 1 }), { minLength: n - 1, maxLength: n - 1 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), SLOTS];
    return points.slice(1).map((p, i) => p - points[i]!);
  }),
);

function applyMoves(t: Topology, plan: ReturnType<typeof makePlan>): (string | null)[] {
  const owners = [...t.slotOwners];
  for (const m of plan.moves) {
    expect(owners[m.slot]).toBe(m.from);
    owners[m.slot] = m.to;
  }
  return owners;
}

/** What redis-cli's rebalance would move: the same per-node counts, lowest slot numbers first. */
function redisCliOrderKeys(t: Topology, plan: ReturnType<typeof makePlan>): number {
  const given = new Map<string, number>();
  for (const m of plan.moves) given.set(m.from, (given.get(m.from) ?? 0) + 1);
  let keys = 0;
  for (const [from, n] of given) {
    const slots = t.slotOwners.flatMap((o, s) => (o === from ? [s] : [])).slice(0, n);
    keys += slots.reduce((a, s) => a + t.slotKeys![s]!, 0);
  }
  return keys;
}

describe('makePlan properties', () => {
  it('rebalance by slots: one owner per slot, no slot twice, exact targets, never more keys than redis-cli order', () => {
    fc.assert(
      fc.property(splits, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 1000 }), fc.boolean(), (sizes, empty, seed, useEmpty) => {
        const t = topology(sizes, empty, (s) => ((s * 7919 + seed) % 97) * ((s % 13) + 1));
        const plan = makePlan(t, { strategy: 'rebalance', by: 'slots', threshold: 2, useEmptyMasters: useEmpty }, 'test');
        const slots = plan.moves.map((m) => m.slot);
        expect(new Set(slots).size).toBe(slots.length);
        const owners = applyMoves(t, plan);
        expect(owners.every((o) => o !== null)).toBe(true);
        if (plan.moves.length) {
          const participants = plan.summary.nodes.filter((n) => n.before.slots > 0 || useEmpty);
          const targets = integerTargets(SLOTS, participants.map(() => 1));
          expect(participants.map((n) => n.after.slots).sort((a, b) => a - b)).toEqual(targets.sort((a, b) => a - b));
        }
        expect(plan.summary.moved.keys).toBeLessThanOrEqual(redisCliOrderKeys(t, plan));
      }),
      { numRuns: 60 },
    );
  });

  it('rebalance by slots: each donor gives one run of its slots, so slot ranges stay few', () => {
    fc.assert(
      fc.property(splits, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 1, max: 1000 }), (sizes, empty, seed) => {
        const t = topology(sizes, empty, (s) => ((s * 7919 + seed) % 97) * ((s % 13) + 1));
        const plan = makePlan(t, { strategy: 'rebalance', by: 'slots', threshold: 2, useEmptyMasters: true }, 'test');
        const given = new Map<string, number[]>();
        for (const m of plan.moves) given.set(m.from, [...(given.get(m.from) ?? []), m.slot]);
        for (const [from, slots] of given) {
          const owned = t.slotOwners.flatMap((o, s) => (o === from ? [s] : []));
          const first = owned.indexOf(Math.min(...slots));
          expect([...slots].sort((a, b) => a - b)).toEqual(owned.slice(first, first + slots.length));
        }
      }),
      { numRuns: 40 },
    );
  });

  it('rebalance by keys converges within the threshold when no slot is large', () => {
    fc.assert(
      fc.property(splits, fc.integer({ min: 0, max: 3 }), (sizes, empty) => {
        const t = topology(sizes, empty, (s) => 50 + (s % 5));
        const plan = makePlan(t, { strategy: 'rebalance', by: 'keys', threshold: 5, useEmptyMasters: true }, 'test');
        const total = plan.summary.nodes.reduce((a, n) => a + n.after.keys, 0);
        const share = total / plan.summary.nodes.length;
        if (share > 55 * 40) for (const n of plan.summary.nodes) expect(Math.abs(n.after.keys - share) / share).toBeLessThanOrEqual(0.05);
      }),
      { numRuns: 40 },
    );
  });

  it('weights: weight 0 drains a master; a plan is deterministic byte for byte', () => {
    const t = topology([6000, 6000, 4384], 1, (s) => s % 11);
    const goal: PlanGoal = { strategy: 'rebalance', by: 'slots', weights: { [id(1)]: 0 }, useEmptyMasters: true };
    const plan = makePlan(t, goal, 'x');
    expect(plan.summary.nodes.find((n) => n.id === id(1))!.after.slots).toBe(0);
    expect(serializePlan(makePlan(t, goal, 'x'))).toBe(serializePlan(plan));
  });

  it('on a skewed key distribution, moves far fewer keys than redis-cli order', () => {
    // Zipf-like: a few slots hold most keys, and they sit at low slot numbers.
    const t = topology([5461, 5461, 5462], 1, (s) => Math.floor(100000 / ((s % 5461) + 1)));
    const plan = makePlan(t, { strategy: 'rebalance', by: 'slots', useEmptyMasters: true }, 'x');
    const ratio = plan.summary.moved.keys / redisCliOrderKeys(t, plan);
    console.log(`skewed keys moved, slotpilot / redis-cli order: ${plan.summary.moved.keys} / ${redisCliOrderKeys(t, plan)} = ${ratio.toFixed(3)}`);
    expect(ratio).toBeLessThan(0.1);
  });

  it('already balanced: an empty plan that says so', () => {
    const plan = makePlan(topology([5461, 5461, 5462], 0, () => 1), { strategy: 'rebalance', by: 'slots' }, 'x');
    expect(plan.moves).toEqual([]);
    expect(plan.summary.notes[0]).toMatch(/already balanced/);
  });

  it('drain spreads every slot of a node over the others; move picks the cheapest slots', () => {
    const t = topology([8192, 4096, 4096], 0, (s) => (s < 100 ? 0 : 5));
    const drain = makePlan(t, { strategy: 'drain', node: id(1) }, 'x');
    expect(drain.moves).toHaveLength(8192);
    expect(drain.summary.nodes.map((n) => n.after.slots)).toEqual([0, 8192, 8192]);
    const move = makePlan(t, { strategy: 'move', from: id(1), to: id(2), count: 100 }, 'x');
    expect(move.moves.map((m) => m.slot)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it.each([
    [{ strategy: 'drain', node: id(1) } as PlanGoal, /last master/],
    [{ strategy: 'move', from: id(1), to: id(1), count: 1 } as PlanGoal, /same node/],
    [{ strategy: 'rebalance', by: 'slots', weights: { [id(1)]: -1 } } as PlanGoal, /must be a number >= 0/],
  ])('refuses impossible goals: %j', (goal, message) => {
    expect(() => makePlan(topology([16384], 0, () => 1), goal, 'x')).toThrow(message);
  });
});
