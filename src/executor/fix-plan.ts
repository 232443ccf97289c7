import { PLAN_VERSION, type Plan } from '../planner/plan-schema.js';
import type { OpenSlot, Topology } from '../topology/types.js';

/** What `fix` does with one open slot. */
export type FixAction =
  | { readonly slot: number; readonly kind: 'finish'; readonly from: string; readonly to: string; readonly why: string }
  | { readonly slot: number; readonly kind: 'close'; readonly node: string; readonly why: string }
  | { readonly slot: number; readonly kind: 'refuse'; readonly why: string };

/**
 * Decide, for every open slot, how to close it, in the direction the cluster records (pure).
 * - migrating on A to B (B importing from A, or not yet): finish the move A → B.
 * - importing on B from A only, and B already holds keys of the slot: finish A → B (keys moved).
 * - importing on B from A only, B holds none of its keys: nothing moved yet; close B (STABLE).
 * - importing on the owner itself: close it.
 * Anything else (several nodes importing or migrating, markers that contradict each other, an owner
 * that is neither end) is refused: a wrong guess could lose keys.
 */
export function decideFixes(t: Topology, keysOnImporter: (slot: number, node: string) => number): FixAction[] {
  const bySlot = new Map<number, OpenSlot[]>();
  for (const o of t.openSlots) bySlot.set(o.slot, [...(bySlot.get(o.slot) ?? []), o]);
  const actions: FixAction[] = [];
  for (const [slot, markers] of [...bySlot].sort((a, b) => a[0] - b[0])) {
    const owner = t.slotOwners[slot] ?? null;
    const migrating = markers.filter((o) => o.state === 'migrating');
    const importing = markers.filter((o) => o.state === 'importing');
    if (migrating.length > 1 || importing.length > 1) {
      actions.push({ slot, kind: 'refuse', why: `slot ${slot} is open on several nodes (${markers.length} markers); fix it by hand` });
    } else if (migrating.length === 1) {
      const a = migrating[0]!.node;
      const b = migrating[0]!.peer;
      const imp = importing[0];
      if (imp && (imp.node !== b || imp.peer !== a)) actions.push({ slot, kind: 'refuse', why: `slot ${slot} migrates ${a.slice(0, 8)} → ${b.slice(0, 8)} but is imported elsewhere` });
      else if (owner !== a && owner !== b) actions.push({ slot, kind: 'refuse', why: `slot ${slot} is owned by ${owner?.slice(0, 8) ?? 'nobody'}, neither end of its migration` });
      else actions.push({ slot, kind: 'finish', from: a, to: b, why: 'migrating: finish the move' });
    } else {
      const b = importing[0]!.node;
      const a = importing[0]!.peer;
      // The source failed over (Redis dropped its MIGRATING marker as it turned replica): the new
      // master holds the keys not moved yet. The importing node may still name the old owner, or a
      // master-less one, in its own view (it ignores ownership updates for a slot it imports).
      const source = t.nodes.find((n) => n.id === a);
      const newMaster = source?.role === 'replica' && source.masterId && source.masterId !== b ? source.masterId : null;
      if (owner === b) actions.push({ slot, kind: 'close', node: b, why: 'importing on its owner: close' });
      else if (newMaster && (owner === newMaster || owner === a || owner === null)) {
        actions.push({ slot, kind: 'finish', from: newMaster, to: b, why: `importing from ${a.slice(0, 8)}, which failed over to ${newMaster.slice(0, 8)}: finish the move from the new master` });
      }
      else if (owner !== a) actions.push({ slot, kind: 'refuse', why: `slot ${slot} is imported from ${a.slice(0, 8)} but owned by ${owner?.slice(0, 8) ?? 'nobody'}` });
      else if (keysOnImporter(slot, b) > 0) actions.push({ slot, kind: 'finish', from: a, to: b, why: 'importing with keys already moved: finish the move' });
      else actions.push({ slot, kind: 'close', node: b, why: 'importing, nothing moved yet: close' });
    }
  }
  return actions;
}

/** The `finish` actions as a plan the executor runs in resume mode (keys unknown: 0). */
export function fixPlan(t: Topology, actions: readonly FixAction[]): Plan {
  const moves = actions.flatMap((a) => (a.kind === 'finish' ? [{ slot: a.slot, from: a.from, to: a.to, keys: 0, bytes: 0 }] : []));
  const masters = t.nodes.filter((n) => n.role === 'master');
  const zero = { slots: 0, keys: 0, bytes: 0 };
  return {
    kind: 'slotpilot-plan',
    version: PLAN_VERSION,
    strategy: { name: 'move', by: 'slots', options: { fix: true } },
    source: { from: t.seed, masters: masters.map((m) => ({ id: m.id, addr: m.addr })), keysKnown: false },
    moves,
    summary: { nodes: masters.map((m) => ({ id: m.id, addr: m.addr, before: zero, after: zero, weight: 1 })), moved: { slots: moves.length, keys: 0, bytes: 0 }, estimatedSeconds: 0, notes: [] },
  };
}
