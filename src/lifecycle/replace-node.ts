import { UsageError } from '../errors.js';
import { resolveNode } from '../planner/resolve-node.js';
import { formatAddr, type HostPort } from '../redis/connection.js';
import { readTopology } from '../topology/read-topology.js';
import type { LifecycleDeps } from './add-node.js';
import { stepEvent } from './events.js';
import { judgeJoinCandidate } from './judge-join.js';
import { judgeReplace } from './judge-replace.js';
import { attachAndSync, joinNode, removeFromCluster, type StepContext } from './join-steps.js';
import { findForgottenButNotReset, findListedElsewhere, inspectCandidate } from './node-steps.js';
import { failOver } from './replication-steps.js';

export interface ReplaceNodeRequest {
  /** NODE: the master to replace (host:port or id prefix). */
  readonly old: string;
  readonly fresh: HostPort;
  readonly joinTimeoutMs: number;
  readonly syncTimeoutMs: number;
  readonly failoverTimeoutMs: number;
  readonly shutdown: boolean;
}

/**
 * replace-node: move a master to new hardware without moving keys one by one. The new node joins as
 * a replica of the old master, its full sync and catch-up are followed, a graceful CLUSTER FAILOVER
 * promotes it (the old master pauses writers until the replica has everything, so no acknowledged
 * write is lost), then the old node is forgotten and reset. The stage is read from the cluster, so a
 * re-run continues: syncing → wait again; promoted → remove the old node.
 */
export async function replaceNode(ctx: StepContext, req: ReplaceNodeRequest, deps: LifecycleDeps): Promise<string> {
  const addr = formatAddr(req.fresh);
  const t = await readTopology(ctx.seed, ctx.conn, { keys: false });
  const candidate = await inspectCandidate(req.fresh, ctx.conn);
  const member = t.nodes.find((n) => n.id === candidate.id);
  let old;
  try {
    old = resolveNode(t, req.old, '--old');
  } catch (error) {
    // Already forgotten by the seed: a finished (or nearly finished) earlier run.
    if (error instanceof UsageError && member?.role === 'master' && member.slots.length) {
      const half = (await findListedElsewhere(t, req.old, ctx.conn)) ?? (await findForgottenButNotReset(t, req.old, ctx.conn));
      if (!half) {
        ctx.emit(stepEvent('inspect', 'skipped', `${req.old} is no longer in the cluster and ${addr} serves its slots`));
        return `${addr} already replaced ${req.old}`;
      }
      // Interrupted while forgetting: finish, or the nodes that still list it keep it for good.
      ctx.emit(stepEvent('inspect', 'info', `${half.addr} (${half.id.slice(0, 8)}) is no longer listed by the seed; finishing its removal`));
      await deps.confirm(`Finish removing ${half.addr} from the cluster?`);
      await removeFromCluster({ ...ctx, seed: req.fresh }, [half], req.shutdown);
      return `${half.addr} replaced by ${addr}`;
    }
    throw error;
  }
  const ownMaster = candidate.lines.find((l) => l.flags.includes('myself'))?.masterId ?? null;
  const stage = judgeReplace(t, old, member ? candidate.id : null, ownMaster);
  const decision = stage === 'start' ? judgeJoinCandidate(candidate, t.nodes) : ({ kind: 'joined' } as const);
  const seedIsOld = formatAddr(ctx.seed) === old.addr;
  ctx.emit(stepEvent('inspect', 'done', `${old.addr} (${old.id.slice(0, 8)}) is a master with ${old.slots.reduce((a, [x, y]) => a + y - x + 1, 0)} slots; ${addr} (${candidate.id.slice(0, 8)}) ${stage === 'start' ? 'is empty and in no other cluster' : stage === 'syncing' ? 'is already its replica' : 'was already promoted'}`));
  await deps.confirm(`Replace master ${old.addr} with ${addr} (join as replica, full sync, failover, remove ${old.addr})?`);

  if (stage !== 'promoted') {
    // The old master is the node most likely to go away: talk to the new one once it is a member.
    await joinNode(ctx, req.fresh, candidate, decision, req.joinTimeoutMs);
    const after = seedIsOld ? { ...ctx, seed: req.fresh } : ctx;
    await attachAndSync(after, req.fresh, candidate.id, old, stage === 'syncing', req.syncTimeoutMs);
    ctx.emit(stepEvent('failover', 'start', `CLUSTER FAILOVER on ${addr}: ${old.addr} pauses its writers until ${addr} has every write, then ${addr} takes over`));
    await failOver(req.fresh, req.fresh, old.id, candidate.id, ctx.conn, req.failoverTimeoutMs);
    ctx.emit(stepEvent('failover', 'done', `${addr} is the master of ${old.addr}'s slots; every node agrees`));
  } else {
    ctx.emit(stepEvent('failover', 'skipped', `${addr} is already the master, ${old.addr} its replica`));
  }
  // From here on the new node is the seed: the old one is about to leave.
  await removeFromCluster({ ...ctx, seed: req.fresh }, [{ id: old.id, addr: old.addr, reachable: true }], req.shutdown);
  return `${old.addr} replaced by ${addr}`;
}

