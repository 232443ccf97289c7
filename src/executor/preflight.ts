import { RefusedError } from '../errors.js';
import type { Move, Plan } from '../planner/plan-schema.js';
import type { ConnectionOptions, HostPort } from '../redis/connection.js';
import { formatSlotRanges } from '../topology/slot-ranges.js';
import type { Problem } from '../topology/check-topology.js';
import type { Topology } from '../topology/types.js';
import type { ClusterAdmin } from './cluster-admin.js';
import { decideSlotAction, observeSlot, type SlotAction } from './slot-state.js';
import { waitUntilClusterStable } from './wait-stable.js';
import { enforceCapacity, projectCapacity, type NodeCapacity } from '../planner/capacity.js';
import { slotsByOwner } from '../planner/slot-costs.js';

export interface PreparedMove {
  readonly slot: number;
  readonly from: string;
  readonly to: string;
  readonly keys: number;
  /** The plan's estimate of the slot's bytes (absent in plans that could not estimate it). */
  readonly bytes?: number;
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
  // A marker naming a source that has since failed over belongs to the move from its new master.
  const masterOf = (id: string): string => {
    const n = t.nodes.find((x) => x.id === id);
    return n?.role === 'replica' && n.masterId ? n.masterId : id;
  };
  const foreign = t.openSlots.filter((o) => {
    const m = planned.get(o.slot);
    if (!m) return true;
    const pair = new Set([m.from, m.to]);
    return !pair.has(o.node) || !(pair.has(o.peer) || pair.has(masterOf(o.peer)));
  });
  if (foreign.length) {
    throw new RefusedError(`slot(s) ${formatSlotRanges(foreign.map((o) => o.slot))} are open outside this plan; run slotpilot fix --seed ${t.seed} first`);
  }
}

/**
 * A move whose source has failed over since the plan was made (the source is now a replica): the
 * slot's remaining keys are on its new master, so the move continues from there. Redis drops a
 * node's MIGRATING markers when it turns replica, and the target keeps importing from the old id;
 * the `move` steps re-point both ends. A drained source that turned replica of the target is left
 * alone (its slots are done).
 */
export function followFailovers(moves: readonly Move[], t: Topology): Move[] {
  return moves.map((m) => {
    const source = t.nodes.find((n) => n.id === m.from);
    const master = source?.role === 'replica' ? source.masterId : null;
    const live = master && master !== m.to && t.nodes.some((n) => n.id === master && n.role === 'master');
    return live ? { ...m, from: master } : m;
  });
}

/**
 * A node importing a slot ignores ownership updates for it, so after its source fails over it keeps
 * the old owner in its view and disagrees with everyone on exactly its open slots: expected while
 * resuming, and resolved by closing those slots.
 */
export function isOpenSlotDisagreement(problem: Problem, t: Topology): boolean {
  if (problem.kind !== 'disagreement' || !problem.slots?.length) return false;
  const open = new Set(t.openSlots.map((o) => o.slot));
  return problem.slots.every((s) => open.has(s));
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
  const moves = followFailovers(plan.moves, t);
  const ids = [...new Set(moves.flatMap((m) => [m.from, m.to]))];
  const views = new Map(await Promise.all(ids.map(async (id) => [id, await admin.view(id)] as const)));
  const conflicts: number[] = [];
  const prepared: PreparedMove[] = [];
  const ownerless: Move[] = [];
  for (const m of moves) {
    const o = observeSlot(m.slot, m.from, m.to, views.get(m.from)!, views.get(m.to)!);
    const action = decideSlotAction(o, m.from, m.to);
    if (action === 'conflict') conflicts.push(m.slot);
    else prepared.push({ ...m, action });
    if (action === 'move' && o.ownerOnTarget === null && o.ownerOnSource === m.from) ownerless.push(m);
  }
  if (conflicts.length) throw new RefusedError(`slot(s) ${formatSlotRanges(conflicts)} are now owned by a node outside their move; plan again`);
  // A target importing a slot whose source then failed over dropped the old owner (now a replica)
  // and ignored the new one's claim, so it knows no owner and would refuse every key of the slot
  // ("CLUSTERDOWN Hash slot not served"). Tell it who owns the slot now; it keeps importing.
  await Promise.all(ownerless.map((m) => admin.setSlot(m.to, m.slot, 'NODE', m.from)));
  return prepared;
}

/** Read the cluster, wait for it to settle, and refuse a plan that does not fit it. Changes nothing. */
export async function preflight(plan: Plan, seed: HostPort, conn: ConnectionOptions, waitStableMs: number, resuming: boolean, say: (message: string) => void): Promise<Topology> {
  say('reading the cluster');
  const t = await waitUntilClusterStable(seed, conn, waitStableMs, say, resuming ? isOpenSlotDisagreement : undefined);
  checkPlanNodes(plan, t, resuming);
  checkForeignOpenSlots(plan, t);
  return t;
}

/**
 * The moves still to do (their slot is still with its source) with their bytes: the plan's estimate
 * when it knew the keys, else the source's used_memory spread evenly over its slots (a plan from a
 * `cluster nodes` dump knows no bytes, but a target can still be too small for it).
 */
export function pendingBytes(plan: Plan, t: Topology): { from: string; to: string; bytes: number }[] {
  const owned = slotsByOwner(t);
  const perSlot = (id: string): number => {
    const n = t.nodes.find((x) => x.id === id);
    const slots = owned.get(id)?.length ?? 0;
    return n?.usedMemory && slots ? n.usedMemory / slots : 0;
  };
  return plan.moves.filter((m) => t.slotOwners[m.slot] === m.from).map((m) => ({ from: m.from, to: m.to, bytes: plan.source.keysKnown ? m.bytes : perSlot(m.from) }));
}

/**
 * Refuse (nothing changed) a plan that would take a target past its maxmemory; with `ignore`, only
 * say so. Returns the targets' projections either way.
 */
export function checkCapacity(plan: Plan, t: Topology, ignore: boolean, say: (message: string) => void): NodeCapacity[] {
  const rows = projectCapacity(t, pendingBytes(plan, t));
  enforceCapacity(rows, ignore, say, 'make room, plan onto other masters, or --ignore-capacity');
  return rows;
}
