import { RefusedError } from '../errors.js';
import type { ClusterNodeLine } from '../topology/types.js';

/** What slotpilot knows about a node it is asked to add, read from the node itself. */
export interface JoinCandidate {
  readonly addr: string;
  readonly id: string;
  /** Keys in the node (`DBSIZE`). */
  readonly keys: number;
  /** The node's own `CLUSTER NODES` view. */
  readonly lines: readonly ClusterNodeLine[];
}

/** `join`: meet it; `joined`: the cluster already knows it (a re-run), just wait and continue. */
export type JoinDecision = { readonly kind: 'join' } | { readonly kind: 'joined' };

/**
 * Decide whether a node may join the cluster whose view (from the seed) is `cluster`. Pure. Refuses
 * (RefusedError, nothing changed) a node holding keys or slots, or one that knows nodes this cluster
 * does not: it belongs to another cluster, and a MEET would merge the two. A node that knows only
 * members of this cluster (or is still in handshake with them) is a join interrupted half-way.
 */
export function judgeJoinCandidate(candidate: JoinCandidate, cluster: readonly ClusterNodeLine[]): JoinDecision {
  const member = cluster.find((l) => l.id === candidate.id && !l.flags.includes('handshake'));
  if (member) return { kind: 'joined' };
  const sameAddr = cluster.find((l) => l.addr === candidate.addr && !l.flags.includes('handshake'));
  if (sameAddr) {
    throw new RefusedError(`${candidate.addr} is listed in this cluster as node ${sameAddr.id.slice(0, 8)}, but the node there now is ${candidate.id.slice(0, 8)}; forget the old entry first (slotpilot remove-node --node ${sameAddr.id.slice(0, 8)})`);
  }
  const myself = candidate.lines.find((l) => l.flags.includes('myself'));
  const ownSlots = myself?.slots.reduce((n, [a, b]) => n + b - a + 1, 0) ?? 0;
  if (ownSlots > 0) throw new RefusedError(`${candidate.addr} already owns ${ownSlots} slot(s): it belongs to another cluster (CLUSTER RESET it first if it is no longer used)`);
  if (candidate.keys > 0) throw new RefusedError(`${candidate.addr} already holds ${candidate.keys} key(s); only an empty node can join (FLUSHALL and CLUSTER RESET it first if the data is not needed)`);
  const ids = new Set(cluster.map((l) => l.id));
  const addrs = new Set(cluster.map((l) => l.addr));
  const foreign = candidate.lines.filter((l) => !l.flags.includes('myself') && !ids.has(l.id) && !(l.flags.includes('handshake') && addrs.has(l.addr)));
  if (foreign.length) {
    throw new RefusedError(`${candidate.addr} belongs to another cluster: it knows ${foreign.length} node(s) this cluster does not (${foreign.slice(0, 3).map((l) => l.addr).join(', ')}); CLUSTER RESET it first if it is no longer used`);
  }
  if (myself?.masterId) throw new RefusedError(`${candidate.addr} is a replica of ${myself.masterId.slice(0, 8)}, which is not a node of this cluster`);
  return { kind: 'join' };
}
