import { SUSPECT_FLAGS } from './node-flags.js';
import { formatSlotRanges } from './slot-ranges.js';
import { SLOT_COUNT, type Topology } from './types.js';

export type ProblemKind = 'uncovered' | 'disagreement' | 'open-slot' | 'node-failing' | 'node-unreachable' | 'cluster-state';

/** One thing wrong with the cluster, with the slots and nodes it concerns. */
export interface Problem {
  readonly kind: ProblemKind;
  readonly message: string;
  readonly slots?: readonly number[];
  readonly nodes?: readonly string[];
}

/**
 * Everything that makes a cluster unhealthy for slot moves: a slot without owner, views that
 * disagree, open slots, failing or unreachable nodes, a master not reporting `cluster_state:ok`.
 * Pure: the same Topology always gives the same problems, in the same order.
 */
export function checkTopology(t: Topology): Problem[] {
  const problems: Problem[] = [];
  const addrOf = new Map(t.nodes.map((n) => [n.id, n.addr]));
  const name = (id: string): string => `${addrOf.get(id) ?? '?'} (${id.slice(0, 8)})`;

  const uncovered: number[] = [];
  for (let slot = 0; slot < SLOT_COUNT; slot++) if (t.slotOwners[slot] === null) uncovered.push(slot);
  if (uncovered.length) {
    problems.push({ kind: 'uncovered', message: `${uncovered.length} slot(s) have no owner: ${formatSlotRanges(uncovered)}`, slots: uncovered });
  }
  for (const d of t.disagreements) {
    problems.push({ kind: 'disagreement', message: `${name(d.node)} ${d.message}`, nodes: [d.node], ...(d.slots ? { slots: d.slots } : {}) });
  }
  for (const o of t.openSlots) {
    const arrow = o.state === 'migrating' ? `migrating to ${name(o.peer)}` : `importing from ${name(o.peer)}`;
    problems.push({ kind: 'open-slot', message: `slot ${o.slot} is open on ${name(o.node)}: ${arrow}`, slots: [o.slot], nodes: [o.node, o.peer] });
  }
  for (const n of t.nodes) {
    const bad = n.flags.filter((f) => SUSPECT_FLAGS.includes(f));
    if (bad.length) {
      problems.push({ kind: 'node-failing', message: `${name(n.id)} is flagged ${bad.join(',')}`, nodes: [n.id] });
    } else if (n.linkState === 'disconnected' && !n.flags.includes('myself')) {
      problems.push({ kind: 'node-failing', message: `${name(n.id)} has its cluster link disconnected`, nodes: [n.id] });
    }
    if (!n.reachable && t.readAt !== null) {
      problems.push({ kind: 'node-unreachable', message: `${name(n.id)} could not be reached`, nodes: [n.id] });
    } else if (n.reachable && n.role === 'master' && n.clusterState !== 'ok') {
      problems.push({ kind: 'cluster-state', message: `${name(n.id)} reports cluster_state:${n.clusterState}`, nodes: [n.id] });
    }
  }
  return problems;
}
