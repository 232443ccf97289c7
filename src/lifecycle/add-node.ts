import { UsageError, RefusedError } from '../errors.js';
import { makePlan } from '../planner/make-plan.js';
import type { Plan } from '../planner/plan-schema.js';
import { resolveNode } from '../planner/resolve-node.js';
import { formatAddr, type HostPort } from '../redis/connection.js';
import { readTopology } from '../topology/read-topology.js';
import { stepEvent } from './events.js';
import { judgeJoinCandidate } from './judge-join.js';
import { attachAndSync, joinNode, type StepContext } from './join-steps.js';
import { inspectCandidate } from './node-steps.js';

export interface AddNodeRequest {
  readonly fresh: HostPort;
  /** NODE (host:port or id prefix) to replicate; a master when absent. */
  readonly replicaOf?: string;
  readonly rebalance: boolean;
  readonly joinTimeoutMs: number;
  readonly syncTimeoutMs: number;
}

/** What the command layer provides: confirmation and running a plan with the executor. */
export interface LifecycleDeps {
  confirm(question: string): Promise<void>;
  applyPlan(plan: Plan): Promise<void>;
}

/**
 * add-node: inspect (refuse a node with data, slots or another cluster's nodes; nothing changed),
 * meet, wait until joined and stable, then as a replica attach and follow the sync, or as a master
 * optionally rebalance onto it. Returns the one-line outcome.
 */
export async function addNode(ctx: StepContext, req: AddNodeRequest, deps: LifecycleDeps): Promise<string> {
  const addr = formatAddr(req.fresh);
  if (req.replicaOf !== undefined && req.rebalance) throw new UsageError('--rebalance fills a new master; it cannot go with --replica-of');
  const t = await readTopology(ctx.seed, ctx.conn, { keys: false });
  const candidate = await inspectCandidate(req.fresh, ctx.conn);
  const decision = judgeJoinCandidate(candidate, t.nodes);
  const master = req.replicaOf !== undefined ? resolveNode(t, req.replicaOf, '--replica-of') : null;
  if (master && master.role !== 'master') throw new RefusedError(`--replica-of ${master.addr} is a replica; give a master (its master is ${master.masterId?.slice(0, 8) ?? 'unknown'})`);
  const member = t.nodes.find((n) => n.id === candidate.id);
  if (member && master && member.role === 'replica' && member.masterId !== master.id) {
    throw new RefusedError(`${addr} is already a replica of ${member.masterId?.slice(0, 8)}, not of ${master.addr}`);
  }
  if (member && master && member.slots.length) throw new RefusedError(`${addr} is already a master of this cluster with slots; it cannot become a replica`);
  if (member && master === null && member.role === 'replica') throw new RefusedError(`${addr} is already a replica in this cluster; remove-node it first to add it as a master`);
  ctx.emit(stepEvent('inspect', 'done', `${addr} (${candidate.id.slice(0, 8)}) is empty and ${decision.kind === 'joined' ? 'already a member' : 'in no other cluster'}; cluster has ${t.nodes.length} node(s)`));
  const role = master ? `a replica of ${master.addr}` : 'a master';
  await deps.confirm(`Add ${addr} to the cluster as ${role}${req.rebalance ? ', then rebalance slots onto it' : ''}?`);

  await joinNode(ctx, req.fresh, candidate, decision, req.joinTimeoutMs);
  if (master) {
    await attachAndSync(ctx, req.fresh, candidate.id, master, member?.masterId === master.id, req.syncTimeoutMs);
    return `${addr} joined as a replica of ${master.addr}, in sync`;
  }
  if (!req.rebalance) return `${addr} joined as an empty master (add --rebalance, or run slotpilot rebalance --use-empty-masters, to give it slots)`;
  const loaded = await readTopology(ctx.seed, ctx.conn);
  const plan = makePlan(loaded, { strategy: 'rebalance', by: 'slots', useEmptyMasters: true }, formatAddr(ctx.seed));
  if (!plan.moves.length) {
    ctx.emit(stepEvent('rebalance', 'skipped', 'slots are already balanced'));
    return `${addr} joined as a master; slots already balanced`;
  }
  ctx.emit(stepEvent('rebalance', 'start', `moving ${plan.summary.moved.slots} slots (${plan.summary.moved.keys} keys) to balance the masters`));
  await deps.applyPlan(plan);
  const own = plan.moves.filter((m) => m.to === candidate.id).length;
  ctx.emit(stepEvent('rebalance', 'done', `${addr} now owns ${own} slots`));
  return `${addr} joined as a master and owns ${own} slots`;
}
