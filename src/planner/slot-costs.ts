import { SLOT_COUNT, type Topology, type TopologyNode } from '../topology/types.js';
import type { BalanceBy } from './plan-schema.js';

/** What each slot weighs: its keys and an estimate of its bytes. */
export interface SlotCosts {
  readonly keys: Float64Array;
  readonly bytes: Float64Array;
  readonly keysKnown: boolean;
}

/**
 * Per-slot keys come from the reader's `CLUSTER COUNTKEYSINSLOT`; bytes are estimated as
 * keys × (the owner's used_memory ÷ its key count), since Redis has no per-slot memory figure.
 * A topology read offline (raw `cluster nodes`) knows neither: every slot weighs 0.
 */
export function slotCostsOf(t: Topology): SlotCosts {
  const keys = new Float64Array(SLOT_COUNT);
  const bytes = new Float64Array(SLOT_COUNT);
  if (!t.slotKeys) return { keys, bytes, keysKnown: false };
  const bytesPerKey = new Map<string, number>();
  for (const n of t.nodes) bytesPerKey.set(n.id, n.keys && n.usedMemory ? n.usedMemory / n.keys : 0);
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const k = t.slotKeys[slot] ?? 0;
    keys[slot] = k;
    const owner = t.slotOwners[slot];
    bytes[slot] = owner ? Math.round(k * (bytesPerKey.get(owner) ?? 0)) : 0;
  }
  return { keys, bytes, keysKnown: true };
}

/** The measure a balance is made in: one per slot, or its keys, or its bytes. */
export function measureOf(costs: SlotCosts, by: BalanceBy): (slot: number) => number {
  if (by === 'keys') return (slot) => costs.keys[slot]!;
  if (by === 'memory') return (slot) => costs.bytes[slot]!;
  return () => 1;
}

/** Slots owned by each master id (ascending). */
export function slotsByOwner(t: Topology): Map<string, number[]> {
  const owned = new Map<string, number[]>();
  for (const n of t.nodes) if (n.role === 'master') owned.set(n.id, []);
  t.slotOwners.forEach((owner, slot) => {
    if (owner) owned.get(owner)?.push(slot);
  });
  return owned;
}

export function mastersOf(t: Topology): TopologyNode[] {
  return t.nodes.filter((n) => n.role === 'master');
}
