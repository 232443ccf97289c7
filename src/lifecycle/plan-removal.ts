import { RefusedError } from '../errors.js';
import type { Topology, TopologyNode } from '../topology/types.js';
import { compareText } from '../util/format.js';

export interface RemovalOptions {
  /** Remove the master's replicas with it instead of re-attaching them to other masters. */
  readonly withReplicas: boolean;
  /**
   * Fewest replicas any remaining master may be left with. Default (undefined): the fewest any
   * master with slots has now, so a removal never makes the cluster's redundancy worse silently.
   */
  readonly minReplicas?: number;
}

/** What removing one node involves, decided before anything changes. */
export interface RemovalPlan {
  readonly node: TopologyNode;
  /** The node owns slots: drain them first (executor). */
  readonly drain: boolean;
  /** Drain onto masters without slots too (there is no other master with slots). */
  readonly drainToEmptyMasters: boolean;
  /** Replicas removed along with the node (`--with-replicas`). */
  readonly alsoRemove: readonly TopologyNode[];
  /** Replicas of the node that stay in the cluster: re-attached to another master. */
  readonly reattach: readonly TopologyNode[];
  /** The replica floor the removal was checked against. */
  readonly minReplicas: number;
}

const slotCount = (n: TopologyNode): number => n.slots.reduce((a, [x, y]) => a + y - x + 1, 0);

/** Masters other than the removed one(s) that hold slots: the ones replicas protect. */
export function servingMasters(t: Topology, removed: ReadonlySet<string>): TopologyNode[] {
  return t.nodes.filter((n) => n.role === 'master' && !removed.has(n.id) && slotCount(n) > 0);
}

/**
 * The replica count that must hold for every serving master after the removal: the flag, or the
 * fewest replicas any master with slots has now.
 */
export function replicaFloor(t: Topology, minReplicas?: number): number {
  if (minReplicas !== undefined) return minReplicas;
  const counts = t.nodes.filter((n) => n.role === 'master' && slotCount(n) > 0).map((n) => n.replicas.length);
  return counts.length ? Math.min(...counts) : 0;
}

/**
 * Where a replica of a removed master goes: the serving master with the fewest replicas (ties by
 * address then id, so the choice is stable). Pure; `extra` counts replicas already sent there.
 */
export function pickNewMaster(candidates: readonly TopologyNode[], extra: ReadonlyMap<string, number> = new Map()): TopologyNode | null {
  const sorted = [...candidates].sort((a, b) => a.replicas.length + (extra.get(a.id) ?? 0) - (b.replicas.length + (extra.get(b.id) ?? 0)) || compareText(a.addr, b.addr) || (a.id < b.id ? -1 : 1));
  return sorted[0] ?? null;
}

/**
 * Decide how to remove `nodeId`. Pure. Refuses (RefusedError; nothing changed) removing the last
 * master, a master whose slots cannot be drained (unreachable), and a removal that would leave a
 * master with fewer replicas than the floor without the admin saying so (`--min-replicas`).
 */
export function planRemoval(t: Topology, nodeId: string, opts: RemovalOptions): RemovalPlan {
  const node = t.nodes.find((n) => n.id === nodeId);
  if (!node) throw new RefusedError(`node ${nodeId.slice(0, 8)} is not a node of this cluster`);
  const floor = replicaFloor(t, opts.minReplicas);
  if (node.role === 'replica') {
    const master = t.nodes.find((n) => n.id === node.masterId);
    if (master && slotCount(master) > 0 && master.replicas.length - 1 < floor) {
      throw new RefusedError(`removing ${node.addr} would leave master ${master.addr} with ${master.replicas.length - 1} replica(s), below the ${floor} every master with slots has now; pass --min-replicas ${master.replicas.length - 1} to accept that`);
    }
    return { node, drain: false, drainToEmptyMasters: false, alsoRemove: [], reattach: [], minReplicas: floor };
  }
  const otherMasters = t.nodes.filter((n) => n.role === 'master' && n.id !== node.id);
  if (!otherMasters.length) throw new RefusedError(`${node.addr} is the last master of this cluster; it cannot be removed`);
  const slots = slotCount(node);
  if (slots > 0 && !node.reachable) throw new RefusedError(`${node.addr} owns ${slots} slot(s) but cannot be reached, so they cannot be drained; fail it over to a replica first`);
  const withSlots = otherMasters.filter((n) => slotCount(n) > 0);
  const replicas = t.nodes.filter((n) => n.masterId === node.id);
  const alsoRemove = opts.withReplicas ? replicas : [];
  const reattach = opts.withReplicas ? [] : replicas;
  // After the drain every receiver serves slots; with no other master holding slots, the empty ones receive.
  const receivers = withSlots.length ? withSlots : otherMasters;
  const extra = new Map<string, number>();
  for (const r of reattach) {
    const to = pickNewMaster(receivers, extra);
    if (to) extra.set(to.id, (extra.get(to.id) ?? 0) + 1);
  }
  const starved = receivers.find((m) => m.replicas.length + (extra.get(m.id) ?? 0) < floor);
  if (starved && !withSlots.includes(starved)) {
    // An empty master about to receive slots with fewer replicas than the floor: say so rather than surprise.
    throw new RefusedError(`draining ${node.addr} onto ${starved.addr} would give it slots with ${starved.replicas.length + (extra.get(starved.id) ?? 0)} replica(s), below the ${floor} every master with slots has now; pass --min-replicas to accept that`);
  }
  return { node, drain: slots > 0, drainToEmptyMasters: slots > 0 && !withSlots.length, alsoRemove, reattach, minReplicas: floor };
}

