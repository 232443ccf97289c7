/**
 * A target taking ownership of many slots it imports, in one step.
 *
 * Redis 7.0 answers `CLUSTER SETSLOT <slot> NODE <itself>` for a slot it imports by bumping its
 * config epoch (when it is not already the highest) and broadcasting a PONG to every node of the
 * cluster: per slot. On the 4-node bench cluster that is 3 PONGs a slot, each carrying the whole slot
 * bitmap and making every receiver re-read it: measured by hand (1,000 slots closed in rounds of
 * 50), about 0.3 ms of the nodes' CPU per slot, and 13–22% of all the nodes' CPU in the bench's
 * idle rebalance (docs/performance.md). It grows with the number of nodes.
 *
 * So a round's claims go to the target in one transaction:
 *   MULTI
 *   CLUSTER BUMPEPOCH                                   the bump the importing path would make, once
 *   CLUSTER SETSLOT s STABLE; CLUSTER SETSLOT s NODE me  every slot but the last: claimed, no broadcast
 *   CLUSTER SETSLOT last NODE me                        the importing path: one broadcast, every claim in it
 *   EXEC
 * The epoch is the highest before the first claim, as it is with the per-slot path, so no node can
 * take a claim for stale and send the target an UPDATE that would hand a slot (and its keys) back.
 * MULTI keeps it atomic: Redis reads a long pipeline in several turns and may gossip between them,
 * and no client must meet a slot between its STABLE and its NODE.
 */

import { parseInfo } from '../redis/info.js';

/** What this needs of a connection: one command, its reply (a Redis error rejects). */
export interface CommandLink {
  call(...args: string[]): Promise<unknown>;
}

/** The commands of one claim transaction, MULTI and EXEC included. */
export function claimCommands(target: string, slots: readonly number[]): string[][] {
  const commands: string[][] = [['MULTI'], ['CLUSTER', 'BUMPEPOCH']];
  slots.forEach((slot, i) => {
    if (i < slots.length - 1) commands.push(['CLUSTER', 'SETSLOT', String(slot), 'STABLE']);
    commands.push(['CLUSTER', 'SETSLOT', String(slot), 'NODE', target]);
  });
  commands.push(['EXEC']);
  return commands;
}

/**
 * Per slot, the error of its claim or null, from EXEC's replies (BUMPEPOCH's first). An error in
 * a slot's STABLE counts as its failure too: its NODE then claimed it without clearing the marker.
 */
export function claimResults(slots: readonly number[], replies: readonly unknown[]): (Error | null)[] {
  let at = 1;
  return slots.map((_, i) => {
    const own = i < slots.length - 1 ? replies.slice(at, (at += 2)) : replies.slice(at, (at += 1));
    const error = own.find((r): r is Error => r instanceof Error);
    if (error) return error;
    return own.length === (i < slots.length - 1 ? 2 : 1) ? null : new Error(`no reply for slot ${slots[i]} in the claim transaction`);
  });
}

/**
 * Whether claims may go to this node in a transaction: a Redis server (not Valkey: from 8.0 it
 * replicates each SETSLOT to the node's replicas and waits for them, which it cannot do inside a
 * transaction) on which this user may run MULTI/EXEC (an empty transaction: changes nothing). A node
 * that does not say what it is (no INFO for this user) is not asked for transactions.
 */
export async function transactionsAllowed(link: CommandLink): Promise<boolean> {
  const info = link.call('INFO', 'server');
  const multi = link.call('MULTI');
  const exec = link.call('EXEC');
  const [i, m, e] = await Promise.allSettled([info, multi, exec]);
  if (i.status !== 'fulfilled' || m.status !== 'fulfilled' || e.status !== 'fulfilled') return false;
  const server = parseInfo(String(i.value));
  return server.has('redis_version') && !server.has('valkey_version') && server.get('server_name') !== 'valkey';
}

/** One claim at a time: each its own SETSLOT NODE (and, for an imported slot, its own broadcast). */
async function oneByOne(link: CommandLink, target: string, slots: readonly number[]): Promise<(Error | null)[]> {
  return Promise.all(slots.map((slot) => link.call('CLUSTER', 'SETSLOT', String(slot), 'NODE', target).then(() => null, (error: Error) => error)));
}

/** Whether a node takes claim transactions: probed once (transactionsAllowed), cleared on a refusal. */
export interface ClaimMode {
  transactions: boolean;
}

/**
 * `target` takes `slots` (see above). Where MULTI is not allowed, or the transaction is refused as a
 * whole (EXECABORT: an ACL without CLUSTER BUMPEPOCH, nothing ran), the claims go one by one, and
 * from then on for that node.
 */
export async function claimSlots(link: CommandLink, target: string, slots: readonly number[], mode: ClaimMode): Promise<(Error | null)[]> {
  if (!mode.transactions || slots.length < 2) return oneByOne(link, target, slots);
  // Every call is written in this turn, in order, before any other command can join the transaction.
  const sent = claimCommands(target, slots).map((c) => link.call(...c));
  const exec = sent.pop()!;
  for (const p of sent) p.catch(() => {}); // queue-time refusals show in EXEC's EXECABORT
  try {
    return claimResults(slots, (await exec) as unknown[]);
  } catch (error) {
    if (!/^EXECABORT/.test((error as Error).message)) return slots.map(() => error as Error);
    mode.transactions = false;
    return oneByOne(link, target, slots);
  }
}
