import { RefusedError } from '../errors.js';
import type { Plan } from '../planner/plan-schema.js';
import type { ConnectionOptions, HostPort } from '../redis/connection.js';
import { formatSlotRanges } from '../topology/slot-ranges.js';
import type { Topology } from '../topology/types.js';
import type { ClusterAdmin } from './cluster-admin.js';
import { decideSlotAction, observeSlot, type SlotAction } from './slot-state.js';
import { waitUntilClusterStable } from './wait-stable.js';

export interface PreparedMove {
  readonly slot: number;
  readonly from: string;
  readonly to: string;
  readonly keys: number;
  readonly action: Exclude<SlotAction, 'conflict'>;
}

function short(t: Topology, id: string): string {
  const n = t.nodes.find((x) => x.id === id);
  return n ? `${n.addr} (${id.slice(0, 8)})` : id.slice(0, 8);
}

/** Nodes of the plan that are gone or are not masters: the plan no longer fits. */
export function checkPlanNodes(plan: Plan, t: Topology, resuming: boolean): void {
  const addrs = new Map(plan.source.masters.map((m) => [m.id, m.addr]));
  const targets = new Set(plan.moves.map((m) => m.to));
  for (const id of new Set(plan.moves.flatMap((m) => [m.from, m.to]))) {
    const node = t.nodes.find((n) => n.id === id);
    if (!node) throw new RefusedError(`plan is stale: node ${id.slice(0, 8)} (${addrs.get(id) ?? 'unknown'}) is not in this cluster; plan again`);
    // A drained source becomes a replica once its last slot is gone; resuming that run is fine.
    const mayBeReplica = resuming && !targets.has(id);
    if (node.role !== 'master' && !mayBeReplica) throw new RefusedError(`${short(t, id)} is not a master (it is a replica); a plan can only move slots between masters`);
  }
}

/** Open slots the plan does not cover: someone else's business, `fix` first. */
export function checkForeignOpenSlots(plan: Plan, t: Topology): void {
  const planned = new Map(plan.moves.map((m) => [m.slot, m]));
  const foreign = t.openSlots.filter((o) => {
    const m = planned.get(o.slot);
    if (!m) return true;
    const pair = new Set([m.from, m.to]);
    return !pair.has(o.node) || !pair.has(o.peer);
  });
  if (foreign.length) {
    throw new RefusedError(`slot(s) ${formatSlotRanges(foreign.map((o) => o.slot))} are open outside this plan; run slotpilot fix --seed ${t.seed} first`);
  }
}

/**
 * Decide, from the live cluster, what each planned slot needs. A fresh `apply` insists that every slot
 * is still with its planned source and closed; `resume` accepts slots that are open between their
 * two ends or already moved, and continues them.
 */
export async function prepareMoves(plan: Plan, t: Topology, admin: ClusterAdmin, resuming: boolean): Promise<PreparedMove[]> {
  if (!resuming) {
    const stale = plan.moves.filter((m) => t.slotOwners[m.slot] !== m.from);
    if (stale.length) {
      const m = stale[0]!;
      const owner = t.slotOwners[m.slot];
      throw new RefusedError(
        `plan is stale: slot ${m.slot} is owned by ${owner ? short(t, owner) : 'nobody'}, not by ${short(t, m.from)}${stale.length > 1 ? ` (${stale.length} slots differ)` : ''}; plan again`,
      );
    }
    const open = t.openSlots.filter((o) => plan.moves.some((m) => m.slot === o.slot));
    if (open.length) {
      throw new RefusedError(`slot(s) ${formatSlotRanges(open.map((o) => o.slot))} are already open (an interrupted run?); use slotpilot resume --journal FILE or slotpilot fix`);
    }
    return plan.moves.map((m) => ({ ...m, action: 'move' as const }));
  }
  const ids = [...new Set(plan.moves.flatMap((m) => [m.from, m.to]))];
  const views = new Map(await Promise.all(ids.map(async (id) => [id, await admin.view(id)] as const)));
  const conflicts: number[] = [];
  const prepared: PreparedMove[] = [];
  for (const m of plan.moves) {
    const action = decideSlotAction(observeSlot(m.slot, m.from, m.to, views.get(m.from)!, views.get(m.to)!), m.from, m.to);
    if (action === 'conflict') conflicts.push(m.slot);
    else prepared.push({ ...m, action });
  }
  if (conflicts.length) throw new RefusedError(`slot(s) ${formatSlotRanges(conflicts)} are now owned by a node outside their move; plan again`);
  return prepared;
}

/** Read the cluster, wait for it to settle, and refuse a plan that does not fit it. Changes nothing. */
export async function preflight(plan: Plan, seed: HostPort, conn: ConnectionOptions, waitStableMs: number, resuming: boolean, say: (message: string) => void): Promise<Topology> {
  say('reading the cluster');
  const t = await waitUntilClusterStable(seed, conn, waitStableMs, say);
  checkPlanNodes(plan, t, resuming);
  checkForeignOpenSlots(plan, t);
  return t;
}
