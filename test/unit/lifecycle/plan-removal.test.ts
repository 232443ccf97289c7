import { describe, expect, it } from 'vitest';
import { pickNewMaster, planRemoval, replicaFloor } from '../../../src/lifecycle/plan-removal.js';
import { ID, line, liveTopology, threeByOne } from './fixtures.js';

describe('planRemoval', () => {
  it('drains a master with slots and re-attaches its replica (or removes it when asked)', () => {
    const t = threeByOne();
    const plan = planRemoval(t, ID.b!, { withReplicas: false });
    expect(plan).toMatchObject({ drain: true, drainToEmptyMasters: false, minReplicas: 1 });
    expect(plan.reattach.map((n) => n.id)).toEqual([ID.e]);
    expect(plan.alsoRemove).toEqual([]);
    const withReplicas = planRemoval(t, ID.b!, { withReplicas: true });
    expect(withReplicas.alsoRemove.map((n) => n.id)).toEqual([ID.e]);
    expect(withReplicas.reattach).toEqual([]);
  });

  it('refuses the last master', () => {
    const t = liveTopology([line('a', 'myself,master', '-', '0-16383'), line('d', 'slave', 'a')]);
    expect(() => planRemoval(t, ID.a!, { withReplicas: false })).toThrow(/is the last master of this cluster/);
  });

  it('refuses to leave a master below the replica floor unless --min-replicas says so', () => {
    const t = threeByOne();
    expect(() => planRemoval(t, ID.d!, { withReplicas: false })).toThrow(/leave master 127\.0\.0\.1:7000 with 0 replica\(s\), below the 1/);
    expect(planRemoval(t, ID.d!, { withReplicas: false, minReplicas: 0 })).toMatchObject({ drain: false, minReplicas: 0 });
  });

  it('drains onto empty masters when no other master has slots, refusing to leave them unprotected silently', () => {
    const t = liveTopology([line('a', 'myself,master', '-', '0-16383'), line('b', 'master', '-'), line('d', 'slave', 'a')]);
    // a's replica d is re-attached to b, so b keeps the floor of 1.
    expect(planRemoval(t, ID.a!, { withReplicas: false })).toMatchObject({ drain: true, drainToEmptyMasters: true });
    expect(() => planRemoval(t, ID.a!, { withReplicas: true })).toThrow(/would give it slots with 0 replica\(s\), below the 1/);
  });

  it('refuses to drain an unreachable master and an unknown node', () => {
    const t = threeByOne();
    const down = { ...t, nodes: t.nodes.map((n) => (n.id === ID.c ? { ...n, reachable: false } : n)) };
    expect(() => planRemoval(down, ID.c!, { withReplicas: false })).toThrow(/cannot be reached, so they cannot be drained/);
    expect(() => planRemoval(t, ID.h!, { withReplicas: false })).toThrow(/is not a node of this cluster/);
  });

  it('floor is the fewest replicas a master with slots has; new masters go to the least protected first', () => {
    const t = liveTopology([line('a', 'myself,master', '-', '0-8191'), line('b', 'master', '-', '8192-16383'), line('c', 'master', '-'), line('d', 'slave', 'a'), line('e', 'slave', 'a'), line('f', 'slave', 'b')]);
    expect(replicaFloor(t)).toBe(1);
    const masters = t.nodes.filter((n) => n.role === 'master' && n.slots.length);
    expect(pickNewMaster(masters)!.id).toBe(ID.b);
    expect(pickNewMaster(masters, new Map([[ID.b!, 1]]))!.id).toBe(ID.a);
  });
});
