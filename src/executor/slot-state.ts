import type { ClusterNodeLine } from '../topology/types.js';
import type { SlotPhase } from './events.js';

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

/**
 * The per-slot state machine: which phase may follow which. `migrating → assigning` is an empty
 * slot (no key loop); `pending → assigning` a slot the target already owns (resume); any live phase
 * may fail. The run checks every phase event against it, so a step out of order is a bug caught at
 * once, not a cluster left in an odd state.
 */
export const SLOT_TRANSITIONS: Readonly<Record<SlotPhase, readonly SlotPhase[]>> = {
  pending: ['importing', 'assigning', 'done', 'failed', 'skipped'],
  importing: ['migrating', 'failed'],
  migrating: ['keys', 'assigning', 'failed'],
  keys: ['assigning', 'failed'],
  assigning: ['done', 'failed'],
  done: [],
  failed: [],
  skipped: [],
};

export class IllegalTransitionError extends Error {
  override readonly name = 'IllegalTransitionError';
  constructor(
    readonly slot: number,
    readonly from: SlotPhase,
    readonly to: SlotPhase,
  ) {
    super(`slot ${slot}: ${from} → ${to} is not a step of the slot protocol`);
  }
}

/** The phase after `to`, if `from → to` is legal; throws IllegalTransitionError otherwise. */
export function transition(slot: number, from: SlotPhase, to: SlotPhase): SlotPhase {
  if (!SLOT_TRANSITIONS[from].includes(to)) throw new IllegalTransitionError(slot, from, to);
  return to;
}

/** Phases in which an interrupted slot is left open on the cluster (what `resume`/`fix` finish). */
export function leavesSlotOpen(phase: SlotPhase): boolean {
  return phase === 'importing' || phase === 'migrating' || phase === 'keys' || phase === 'assigning';
}
