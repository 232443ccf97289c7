import { describe, expect, it } from 'vitest';
import { describeOverflow, FILL_LIMIT, nodeCapacity, overflows, projectCapacity } from '../../../src/planner/capacity.js';
import { makePlan } from '../../../src/planner/make-plan.js';
import type { Topology, TopologyNode } from '../../../src/topology/types.js';

const MB = 1024 * 1024;
const id = (i: number): string => i.toString(16).padStart(40, '0');

function node(i: number, slots: Array<[number, number]>, used: number, max: number, policy = 'noeviction', keys = 0): TopologyNode {
  return {
    id: id(i), addr: `10.0.0.${i}:6379`, host: `10.0.0.${i}`, port: 6379, busPort: 16379, flags: ['master'], role: 'master', masterId: null,
    pingSent: 0, pongRecv: 0, configEpoch: i, linkState: 'connected', slots, openSlots: [], reachable: true, replicas: [], clusterState: 'ok',
    keys, usedMemory: used, maxMemory: max, maxMemoryPolicy: policy,
  };
}

/** Masters with the given slot runs; every slot holds `perSlot` keys. */
function topology(nodes: TopologyNode[], perSlot = 10): Topology {
  const slotOwners = Array.from({ length: 16384 }, (_, s) => nodes.find((n) => n.slots.some(([a, b]) => s >= a && s <= b))?.id ?? null);
  return { seed: 'test', readAt: null, nodes, slotOwners, slotKeys: Array.from({ length: 16384 }, () => perSlot), openSlots: [], disagreements: [] };
}

describe('capacity', () => {
  it('projects used + incoming with the margin − outgoing, and flags a receiver past the fill limit', () => {
    const c = nodeCapacity({ id: 'x', addr: 'x:1', usedMemory: 1 * MB, maxMemory: 20 * MB, maxMemoryPolicy: 'allkeys-lru' }, 18 * MB, 0);
    expect(c.projected).toBe(Math.round(1 * MB + 18 * MB * 1.1));
    expect(overflows(c)).toBe(true);
    expect(describeOverflow(c)).toMatch(/^x:1 would hold about 20\.8 MB \(1\.0 MB now \+ 18\.0 MB incoming\), over 95% of its maxmemory 20\.0 MB \(maxmemory-policy allkeys-lru: Redis would evict keys to make room, and data would be lost\)$/);
    expect(overflows(nodeCapacity({ id: 'x', addr: 'x:1', usedMemory: MB, maxMemory: 20 * MB }, 10 * MB, 0))).toBe(false);
    // No limit, or a node that only gives: never an overflow.
    expect(overflows(nodeCapacity({ id: 'x', addr: 'x:1', usedMemory: MB, maxMemory: 0 }, 100 * MB, 0))).toBe(false);
    expect(overflows(nodeCapacity({ id: 'x', addr: 'x:1', usedMemory: 30 * MB, maxMemory: 20 * MB }, 0, 5 * MB))).toBe(false);
    expect(describeOverflow(nodeCapacity({ id: 'x', addr: 'x:1', usedMemory: MB, maxMemory: 2 * MB, maxMemoryPolicy: 'noeviction' }, 2 * MB, 0))).toMatch(/writes would fail with OOM and the move would stop half-way/);
    expect(FILL_LIMIT).toBeLessThan(1);
  });

  it('sums the bytes each node receives and gives', () => {
    const t = topology([node(1, [[0, 16383]], 50 * MB, 0), node(2, [], MB, 20 * MB)]);
    const rows = projectCapacity(t, [
      { from: id(1), to: id(2), bytes: 3 * MB },
      { from: id(1), to: id(2), bytes: 2 * MB },
    ]);
    expect(rows.find((r) => r.id === id(2))).toMatchObject({ incoming: 5 * MB, outgoing: 0 });
    expect(rows.find((r) => r.id === id(1))).toMatchObject({ incoming: 0, outgoing: 5 * MB });
  });

  it('plan --by memory gives masters of different maxmemory shares in proportion, and shows each projection', () => {
    // Two loaded masters of 100 MB each holding 40 MB, and a new one of 200 MB: it should take half.
    const t = topology([node(1, [[0, 8191]], 40 * MB, 100 * MB, 'noeviction', 81920), node(2, [[8192, 16383]], 40 * MB, 100 * MB, 'noeviction', 81920), node(3, [], MB, 200 * MB)]);
    const plan = makePlan(t, { strategy: 'rebalance', by: 'memory', useEmptyMasters: true }, 'test');
    const after = new Map(plan.summary.nodes.map((n) => [n.id, n.after.bytes]));
    const total = [...after.values()].reduce((a, b) => a + b, 0);
    expect(after.get(id(3))! / total).toBeCloseTo(0.5, 1);
    expect(after.get(id(1))! / total).toBeCloseTo(0.25, 1);
    const third = plan.summary.nodes.find((n) => n.id === id(3))!;
    expect(third.memory).toMatchObject({ max: 200 * MB, policy: 'noeviction', overflows: false });
    expect(third.memory!.projected).toBeGreaterThan(40 * MB);
    expect(plan.summary.notes).toContain('by memory: each master takes a share in proportion to its maxmemory');
    // The same cluster with a small new master: its projection passes the limit and the plan says so.
    const small = topology([t.nodes[0]!, t.nodes[1]!, node(3, [], MB, 10 * MB)]);
    const tooSmall = makePlan(small, { strategy: 'rebalance', by: 'slots', useEmptyMasters: true }, 'test');
    expect(tooSmall.summary.nodes.find((n) => n.id === id(3))!.memory!.overflows).toBe(true);
  });
});
