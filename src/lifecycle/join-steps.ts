/**
 * The steps add-node and replace-node share: join a node, attach it as a replica, follow its sync;
 * and the ones remove-node and replace-node share: forget a node everywhere, reset it, shut it down.
 * Each step first looks at the cluster and skips what is already done, so a re-run continues.
 */
import { UnreachableError } from '../errors.js';
import { CONNECTION_REFUSED, formatAddr, parseAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import type { Topology } from '../topology/types.js';
import { stepEvent, type Emit } from './events.js';
import type { JoinCandidate, JoinDecision } from './judge-join.js';
import { attachReplica, forgetEverywhere, inspectCandidate, meetNode, resetNode, shutdownNode, waitForMember, waitForRole } from './node-steps.js';
import { waitForSync } from './replication-steps.js';
import { sleep } from '../util/sleep.js';

export interface StepContext {
  readonly seed: HostPort;
  readonly conn: ConnectionOptions;
  readonly emit: Emit;
}

/** MEET (unless the cluster already knows the node), then wait until every node knows it and reports ok. */
export async function joinNode(ctx: StepContext, fresh: HostPort, candidate: JoinCandidate, decision: JoinDecision, timeoutMs: number): Promise<Topology> {
  const addr = formatAddr(fresh);
  if (decision.kind === 'joined') {
    ctx.emit(stepEvent('meet', 'skipped', `${addr} (${candidate.id.slice(0, 8)}) is already a member`));
  } else {
    await meetNode(fresh, ctx.seed, ctx.conn);
    ctx.emit(stepEvent('meet', 'done', `CLUSTER MEET ${formatAddr(ctx.seed)} sent from ${addr} (${candidate.id.slice(0, 8)})`));
  }
  ctx.emit(stepEvent('join', 'start', `waiting until every node knows ${addr} and reports cluster_state:ok`));
  // Gossip changes the reason many times a second while it spreads; one line every 2 s tells enough.
  let said = 0;
  const say = (m: string): void => {
    if (Date.now() - said < 2000) return;
    said = Date.now();
    ctx.emit(stepEvent('join', 'info', m.length > 160 ? `${m.slice(0, 159)}…` : m));
  };
  const t = await waitForMember(ctx.seed, ctx.conn, candidate.id, timeoutMs, say);
  ctx.emit(stepEvent('join', 'done', `every node (${t.nodes.length}) knows ${addr}; cluster_state:ok`));
  return t;
}

/** CLUSTER REPLICATE (unless already attached), the sync with progress, and role agreement. */
export async function attachAndSync(ctx: StepContext, fresh: HostPort, freshId: string, master: { id: string; addr: string }, already: boolean, syncTimeoutMs: number): Promise<void> {
  const addr = formatAddr(fresh);
  if (already) {
    ctx.emit(stepEvent('replicate', 'skipped', `${addr} is already a replica of ${master.addr}`));
  } else {
    await attachReplica(fresh, master.id, ctx.conn);
    ctx.emit(stepEvent('replicate', 'done', `${addr} now replicates ${master.addr} (${master.id.slice(0, 8)})`));
  }
  ctx.emit(stepEvent('sync', 'start', `initial sync of ${addr} from ${master.addr}`));
  await waitForSync(fresh, parseAddr(master.addr), ctx.conn, syncTimeoutMs, ctx.emit);
  await waitForRole(ctx.seed, ctx.conn, freshId, master.id, 30_000);
  ctx.emit(stepEvent('sync', 'done', `every node sees ${addr} as a replica of ${master.addr}`));
}

/** A node being removed: its id, and its address when it can still be reached. */
export interface Leaving {
  readonly id: string;
  readonly addr: string;
  readonly reachable: boolean;
}

/** FORGET everywhere (within the ban window), then RESET each removed node, then SHUTDOWN if asked. */
export async function removeFromCluster(ctx: StepContext, leaving: readonly Leaving[], shutdown: boolean): Promise<void> {
  const names = leaving.map((l) => `${l.addr} (${l.id.slice(0, 8)})`).join(', ');
  ctx.emit(stepEvent('forget', 'start', `CLUSTER FORGET ${names} on every other node`));
  const count = await forgetEverywhere(ctx.seed, ctx.conn, leaving.map((l) => l.id));
  ctx.emit(stepEvent('forget', 'done', `${count} node(s) forgot ${names}`));
  for (const l of leaving) {
    const addr = parseAddr(l.addr);
    // Asked even when the last read could not reach it: a replica that has just followed another
    // master (replica migration after the drain) answers LOADING for a moment, then answers.
    const seen = await whoAnswers(addr, ctx.conn, l.reachable);
    if (!seen.id && !l.reachable) seen.error = `it was not reachable when the cluster was read, and ${seen.error}`;
    if (seen.id !== l.id) {
      const why = seen.id ? `it is node ${seen.id.slice(0, 8)} now` : seen.error;
      ctx.emit(stepEvent('reset', 'skipped', `${l.addr} is not reset (${why}): if node ${l.id.slice(0, 8)} comes back, run CLUSTER RESET SOFT on it before its 60 s ban ends, or it may rejoin through gossip`));
      continue;
    }
    await resetNode(addr, ctx.conn);
    ctx.emit(stepEvent('reset', 'done', `CLUSTER RESET SOFT on ${l.addr}: it forgot the cluster and cannot rejoin through gossip`));
    if (shutdown) {
      await shutdownNode(addr, ctx.conn);
      ctx.emit(stepEvent('shutdown', 'done', `${l.addr} shut down (SHUTDOWN NOSAVE)`));
    }
  }
  // Until it was reset, a leaving node kept talking on the cluster bus: check once more that no
  // member lists it (one read of every view when none does; FORGET again where one does).
  await forgetEverywhere(ctx.seed, ctx.conn, leaving.map((l) => l.id));
}

/**
 * Which node answers at `addr`, asked for up to 5 s: a leaving replica may be busy for a moment (a
 * replica Redis migrated to another master answers LOADING while it loads its new full sync), and a
 * node left un-reset could rejoin through gossip once the FORGET ban ends. Where nothing listens
 * (connection refused) on a node the last read could not reach either, it is dead: asked once, as
 * waiting the 5 s made every removal of a dead node that much longer. One that answered the read
 * may be restarting, and is waited for.
 */
async function whoAnswers(addr: HostPort, conn: ConnectionOptions, answeredRead: boolean): Promise<{ id: string | null; error: string }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return { id: (await inspectCandidate(addr, conn)).id, error: '' };
    } catch (error) {
      const dead = !answeredRead && error instanceof UnreachableError && error.reason === CONNECTION_REFUSED;
      if (dead || Date.now() >= deadline) return { id: null, error: `it did not answer: ${(error as Error).message}` };
      await sleep(250);
    }
  }
}
