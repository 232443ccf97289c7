import { RefusedError, UsageError } from '../errors.js';
import { makePlan } from '../planner/make-plan.js';
import { resolveNode } from '../planner/resolve-node.js';
import { formatAddr, parseAddr } from '../redis/connection.js';
import { isSuspect } from '../topology/node-flags.js';
import { readTopology } from '../topology/read-topology.js';
import type { TopologyNode } from '../topology/types.js';
import type { LifecycleDeps } from './add-node.js';
import { stepEvent } from './events.js';
import { removeFromCluster, type Leaving, type StepContext } from './join-steps.js';
import { attachReplica, findForgottenButNotReset, findListedElsewhere, waitForRole } from './node-steps.js';
import { pickNewMaster, planRemoval, servingMasters } from './plan-removal.js';

export interface RemoveNodeRequest {
  /** NODE: host:port or node id (prefix of 8+). */
  readonly node: string;
  readonly withReplicas: boolean;
  readonly minReplicas?: number;
  readonly shutdown: boolean;
}

const slotCount = (n: TopologyNode): number => n.slots.reduce((a, [x, y]) => a + y - x + 1, 0);

/**
 * remove-node: refuse what would hurt (the last master, a replica floor broken silently; nothing
 * changed), drain its slots with the executor, re-attach its replicas (or remove them with it),
 * forget it everywhere, reset it, optionally shut it down. Every step checks the live cluster
 * first, so a re-run after an interruption continues where the cluster is.
 */
export async function removeNode(ctx: StepContext, req: RemoveNodeRequest, deps: LifecycleDeps): Promise<string> {
  const t = await readTopology(ctx.seed, ctx.conn);
  let target: TopologyNode;
  try {
    target = resolveNode(t, req.node, '--node');
  } catch (error) {
    const half = error instanceof UsageError ? ((await findListedElsewhere(t, req.node, ctx.conn)) ?? (await findForgottenButNotReset(t, req.node, ctx.conn))) : null;
    if (!half) throw error;
    ctx.emit(stepEvent('inspect', 'info', `${half.addr} (${half.id.slice(0, 8)}) is no longer listed by the seed; finishing the removal`));
    await deps.confirm(`Finish removing ${half.addr} from the cluster?`);
    await removeFromCluster(ctx, [half], req.shutdown);
    return `${half.addr} removed`;
  }
  const plan = planRemoval(t, target.id, { withReplicas: req.withReplicas, ...(req.minReplicas !== undefined ? { minReplicas: req.minReplicas } : {}) });
  const leavingIds = new Set([target.id, ...plan.alsoRemove.map((r) => r.id)]);
  if (leavingIds.has(t.nodes.find((n) => n.flags.includes('myself'))?.id ?? '')) {
    // The seed is leaving: every step after the drain talks to the cluster through a node that stays.
    const stays = t.nodes.find((n) => n.reachable && !leavingIds.has(n.id) && !isSuspect(n));
    if (!stays) throw new RefusedError('no reachable node would be left in the cluster');
    ctx = { ...ctx, seed: parseAddr(stays.addr) };
  }
  const slots = slotCount(target);
  const drainPlan = plan.drain ? makePlan(t, { strategy: 'drain', node: target.id, useEmptyMasters: plan.drainToEmptyMasters }, formatAddr(ctx.seed)) : null;
  const what = [
    drainPlan ? `drain ${slots} slots (${drainPlan.summary.moved.keys} keys) to ${new Set(drainPlan.moves.map((m) => m.to)).size} master(s)` : null,
    plan.reattach.length ? `re-attach ${plan.reattach.length} replica(s) to other masters` : null,
    plan.alsoRemove.length ? `remove its ${plan.alsoRemove.length} replica(s) too` : null,
    'forget it on every node',
    req.shutdown ? 'shut it down' : null,
  ].filter(Boolean);
  ctx.emit(stepEvent('inspect', 'done', `${target.addr} (${target.id.slice(0, 8)}) is a ${target.role}${target.role === 'master' ? ` with ${slots} slots and ${target.replicas.length} replica(s)` : ''}; will ${what.join(', ')}`));
  await deps.confirm(`Remove ${target.addr}: ${what.join(', ')}?`);

  if (drainPlan && drainPlan.moves.length) {
    ctx.emit(stepEvent('drain', 'start', `moving ${drainPlan.moves.length} slots off ${target.addr}`));
    await deps.applyPlan(drainPlan);
    ctx.emit(stepEvent('drain', 'done', `${target.addr} owns no slot`));
  } else if (target.role === 'master') {
    ctx.emit(stepEvent('drain', 'skipped', `${target.addr} owns no slot`));
  }

  await reattachReplicas(ctx, target, leavingIds);
  const after = await readTopology(ctx.seed, ctx.conn, { keys: false });
  const leaving: Leaving[] = [...leavingIds].map((id) => {
    const n = after.nodes.find((x) => x.id === id) ?? t.nodes.find((x) => x.id === id)!;
    return { id, addr: n.addr, reachable: n.reachable };
  });
  await removeFromCluster(ctx, leaving, req.shutdown);
  return `${leaving.map((l) => l.addr).join(', ')} removed; ${after.nodes.length - leaving.length} node(s) left`;
}

/**
 * Replicas still following the removed master go to the serving master with the fewest replicas.
 * (When a master loses its last slot, Redis usually moves it and its replicas under the node that
 * took the slot, so there is often nothing left to do.)
 */
async function reattachReplicas(ctx: StepContext, target: TopologyNode, leaving: ReadonlySet<string>): Promise<void> {
  const t = await readTopology(ctx.seed, ctx.conn, { keys: false });
  const orphans = t.nodes.filter((n) => n.masterId === target.id && !leaving.has(n.id));
  if (!orphans.length) {
    ctx.emit(stepEvent('reattach', 'skipped', `no replica follows ${target.addr}`));
    return;
  }
  const serving = servingMasters(t, leaving);
  const extra = new Map<string, number>();
  for (const r of orphans) {
    const to = pickNewMaster(serving, extra);
    if (!to) throw new RefusedError(`no master with slots left to take replica ${r.addr}`);
    extra.set(to.id, (extra.get(to.id) ?? 0) + 1);
    await attachReplica(parseAddr(r.addr), to.id, ctx.conn);
    await waitForRole(ctx.seed, ctx.conn, r.id, to.id, 30_000);
    ctx.emit(stepEvent('reattach', 'done', `${r.addr} now replicates ${to.addr}`));
  }
}
