import { RefusedError } from '../errors.js';
import { isSuspect } from '../topology/node-flags.js';
import type { ClusterNodeLine, Topology, TopologyNode } from '../topology/types.js';

/**
 * Where a replace-node stands, read from the cluster (the source of truth), so a re-run continues:
 * `start` — the new node is not a member yet, or only an empty master of it; `syncing` — it is a replica of the old master;
 * `promoted` — it is the master and the old one is its replica (or already gone).
 */
export type ReplaceStage = 'start' | 'syncing' | 'promoted';

/**
 * Check that `old` may be replaced and tell how far an earlier run got. Pure. Refuses a replica
 * (replace-node moves a master; a replica is replaced with remove-node and add-node --replica-of),
 * a master that is failing or unreachable (it cannot serve a full sync), and a new node that is
 * already something else in this cluster. `newNodesOwnMaster`: the master the new node itself names
 * in its own CLUSTER NODES line, if any.
 */
export function judgeReplace(t: Topology, old: TopologyNode, newId: string | null, newNodesOwnMaster: string | null = null): ReplaceStage {
  const fresh = newId ? t.nodes.find((n) => n.id === newId) : undefined;
  if (old.role === 'replica') {
    if (fresh && fresh.role === 'master' && old.masterId === fresh.id) return 'promoted';
    throw new RefusedError(`${old.addr} is a replica; replace-node moves a master (replace a replica with remove-node, then add-node --replica-of)`);
  }
  // A run stopped between MEET and REPLICATE (or before the replica role had reached the seed by
  // gossip) leaves the new node an empty master of this cluster: the re-run continues from the join.
  const joinedOnly = fresh?.role === 'master' && !fresh.slots.length && fresh.reachable && fresh.keys === 0;
  if (fresh && (!joinedOnly || newNodesOwnMaster === old.id)) {
    // The new node's own view is the truth about its role: the seed learns it by gossip, and a re-run
    // right after an interrupted sync can still see the node as a master there.
    if ((fresh.role === 'replica' && fresh.masterId === old.id) || newNodesOwnMaster === old.id) return 'syncing';
    throw new RefusedError(`${fresh.addr} is already a ${fresh.role} of this cluster${fresh.masterId ? ` (of ${fresh.masterId.slice(0, 8)})` : ''}; replace-node needs a new, empty node`);
  }
  if (isSuspect(old) || !old.reachable) throw new RefusedError(`${old.addr} is failing or unreachable; it cannot serve a full sync (fail it over to a replica, then remove-node it)`);
  return 'start';
}

/**
 * Whether one node's view shows the failover done: `newId` a master and `oldId` its replica (or
 * no longer listed). Pure.
 */
export function showsRolesSwapped(lines: readonly ClusterNodeLine[], oldId: string, newId: string): boolean {
  const fresh = lines.find((l) => l.id === newId);
  const old = lines.find((l) => l.id === oldId);
  if (!fresh || fresh.role !== 'master') return false;
  return !old || (old.role === 'replica' && old.masterId === newId);
}
