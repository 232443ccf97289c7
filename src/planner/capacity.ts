/**
 * Will each node that receives data hold it? Redis has no per-slot memory figure, so a slot's bytes
 * are estimated as in the plan (its keys × its owner's used_memory per key) and the projection is
 *
 *   projected = used_memory now + incoming × (1 + CAPACITY_MARGIN) − outgoing
 *
 * against FILL_LIMIT × maxmemory: the margin covers what a copy costs beyond the source's average per
 * key (the target's allocator, dict growth, fragmentation), the limit keeps room for the writes of
 * clients and the buffers Redis counts in used_memory. A node without maxmemory has no limit. Pure.
 */
import { RefusedError } from '../errors.js';
import { SLOT_COUNT, type Topology, type TopologyNode } from '../topology/types.js';
import { formatBytes } from '../util/format.js';

export const CAPACITY_MARGIN = 0.1;
export const FILL_LIMIT = 0.95;

/** What a node holds now and would hold after the moves. */
export interface NodeCapacity {
  readonly id: string;
  readonly addr: string;
  /** used_memory now, bytes (0 when unknown). */
  readonly used: number;
  /** maxmemory, bytes; 0: no limit. */
  readonly max: number;
  readonly policy: string | null;
  readonly incoming: number;
  readonly outgoing: number;
  readonly projected: number;
}

/** Bytes that go to and from each node, by move. */
export function projectCapacity(t: Topology, moves: readonly { readonly from: string; readonly to: string; readonly bytes: number }[]): NodeCapacity[] {
  const flow = new Map<string, { in: number; out: number }>();
  const of = (id: string) => flow.get(id) ?? (flow.set(id, { in: 0, out: 0 }), flow.get(id)!);
  for (const m of moves) {
    of(m.from).out += m.bytes;
    of(m.to).in += m.bytes;
  }
  return [...flow].flatMap(([id, f]) => {
    const n = t.nodes.find((x) => x.id === id);
    return n ? [nodeCapacity(n, f.in, f.out)] : [];
  });
}

export function nodeCapacity(n: Pick<TopologyNode, 'id' | 'addr' | 'usedMemory' | 'maxMemory' | 'maxMemoryPolicy'>, incoming: number, outgoing: number): NodeCapacity {
  const used = n.usedMemory ?? 0;
  return {
    id: n.id,
    addr: n.addr,
    used,
    max: n.maxMemory ?? 0,
    policy: n.maxMemoryPolicy ?? null,
    incoming,
    outgoing,
    projected: Math.max(0, Math.round(used + incoming * (1 + CAPACITY_MARGIN) - outgoing)),
  };
}

/** A node that receives data and would pass FILL_LIMIT of its maxmemory. */
export function overflows(c: NodeCapacity): boolean {
  return c.max > 0 && c.incoming > 0 && c.projected > c.max * FILL_LIMIT;
}

/** Whether a maxmemory-policy evicts keys (anything but noeviction). */
export function evicts(policy: string | null): boolean {
  return policy !== null && policy !== 'noeviction';
}

/** One line naming the node, the projection, the limit and what the policy would do. */
export function describeOverflow(c: NodeCapacity): string {
  const what = evicts(c.policy)
    ? `maxmemory-policy ${c.policy}: Redis would evict keys to make room, and data would be lost`
    : `maxmemory-policy ${c.policy ?? 'noeviction'}: writes would fail with OOM and the move would stop half-way`;
  return `${c.addr} would hold about ${formatBytes(c.projected)} (${formatBytes(c.used)} now + ${formatBytes(c.incoming)} incoming), over ${Math.round(FILL_LIMIT * 100)}% of its maxmemory ${formatBytes(c.max)} (${what})`;
}

/**
 * What an import brings each master: `bytes` of data spread over the slots, so each master's share
 * is its share of the slots (keys hash evenly; a skewed dataset is where the margin helps).
 */
export function projectImport(t: Topology, bytes: number): NodeCapacity[] {
  const owned = new Map<string, number>();
  for (const o of t.slotOwners) if (o) owned.set(o, (owned.get(o) ?? 0) + 1);
  return [...owned].flatMap(([id, slots]) => {
    const n = t.nodes.find((x) => x.id === id);
    return n ? [nodeCapacity(n, (bytes * slots) / SLOT_COUNT, 0)] : [];
  });
}

/**
 * Refuse (nothing changed) when a node would pass its limit; with `ignore`, only say so. The one rule
 * every command that writes into nodes applies before its first write.
 */
export function enforceCapacity(rows: readonly NodeCapacity[], ignore: boolean, say: (message: string) => void, remedy = 'make room, or --ignore-capacity'): void {
  const over = rows.filter(overflows);
  if (over.length && !ignore) {
    const more = over.length > 1 ? ` (and ${over.length - 1} more node${over.length > 2 ? 's' : ''})` : '';
    throw new RefusedError(`not enough room: ${describeOverflow(over[0]!)}${more}; nothing was changed (${remedy})`);
  }
  for (const c of over) say(`--ignore-capacity: going on although ${describeOverflow(c)}`);
}
