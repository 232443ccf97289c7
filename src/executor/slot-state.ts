import type { ClusterNodeLine } from '../topology/types.js';

/** What a slot's two ends say about it, read live before (re)starting it. */
export interface SlotObservation {
  /** Owner of the slot in the source's own view. */
  readonly ownerOnSource: string | null;
  /** Owner of the slot in the target's own view. */
  readonly ownerOnTarget: string | null;
  /** Source has `[slot->-target]`. */
  readonly sourceMigrating: boolean;
  /** Target has `[slot-<-source]`. */
  readonly targetImporting: boolean;
}

/**
 * What to do with a planned slot: `move` runs the whole protocol (every step is idempotent, so an
 * open slot continues where it stopped), `assign` only finishes the SETSLOT NODE steps (the target
 * already owns it), `done` skips it, `conflict` refuses (a third node owns it).
 */
export type SlotAction = 'move' | 'assign' | 'done' | 'conflict';

/** Pure decision from live state; the same rule serves `apply`, `resume` and `fix`. */
export function decideSlotAction(o: SlotObservation, from: string, to: string): SlotAction {
  if (o.ownerOnTarget === to) {
    return o.ownerOnSource === to && !o.sourceMigrating && !o.targetImporting ? 'done' : 'assign';
  }
  if (o.ownerOnSource === from) return 'move';
  if (o.ownerOnSource === to) return 'assign';
  return 'conflict';
}

/** Read a slot's observation out of the two nodes' own CLUSTER NODES views. */
export function observeSlot(slot: number, from: string, to: string, sourceView: readonly ClusterNodeLine[], targetView: readonly ClusterNodeLine[]): SlotObservation {
  const ownerIn = (view: readonly ClusterNodeLine[]): string | null =>
    view.find((l) => l.role === 'master' && l.slots.some(([a, b]) => slot >= a && slot <= b))?.id ?? null;
  const mine = (view: readonly ClusterNodeLine[]) => view.find((l) => l.flags.includes('myself'));
  return {
    ownerOnSource: ownerIn(sourceView),
    ownerOnTarget: ownerIn(targetView),
    sourceMigrating: mine(sourceView)?.openSlots.some((o) => o.slot === slot && o.state === 'migrating' && o.peer === to) ?? false,
    targetImporting: mine(targetView)?.openSlots.some((o) => o.slot === slot && o.state === 'importing' && o.peer === from) ?? false,
  };
}
