/**
 * The I/O steps of the lifecycle commands, one Redis conversation each. Decisions live in the pure
 * modules next to this one; these only talk to nodes, wait, and emit events.
 */
import type { Redis } from 'ioredis';
import { OperationError, RefusedError, UnreachableError } from '../errors.js';
import { waitUntilClusterStable } from '../executor/wait-stable.js';
import { connectNode, describeConnectError, formatAddr, parseAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import { isSuspect } from '../topology/node-flags.js';
import { parseClusterNodes } from '../topology/parse-cluster-nodes.js';
import { readTopology } from '../topology/read-topology.js';
import type { ClusterNodeLine, Topology } from '../topology/types.js';
import type { JoinCandidate } from './judge-join.js';
import { sleep } from '../util/sleep.js';

/** Run `fn` with a connection to `addr`, always closed after. */
export async function withNode<T>(addr: HostPort, conn: ConnectionOptions, fn: (client: Redis) => Promise<T>): Promise<T> {
  const client = await connectNode(addr, conn);
  try {
    return await fn(client);
  } finally {
    client.disconnect();
  }
}

/** A node's own CLUSTER NODES view; a node without cluster mode is refused by name. */
export async function readOwnView(client: Redis, addr: string): Promise<ClusterNodeLine[]> {
  try {
    return parseClusterNodes((await client.call('CLUSTER', 'NODES')) as string);
  } catch (error) {
    const msg = (error as Error).message ?? '';
    if (/cluster support disabled/i.test(msg)) throw new RefusedError(`${addr} is not running in cluster mode (cluster-enabled yes)`);
    throw new UnreachableError(addr, describeConnectError(error));
  }
}

/** What a node says about itself: id, keys, what it knows. Changes nothing. */
export async function inspectCandidate(addr: HostPort, conn: ConnectionOptions): Promise<JoinCandidate> {
  return withNode(addr, conn, async (client) => {
    const lines = await readOwnView(client, formatAddr(addr));
    const myself = lines.find((l) => l.flags.includes('myself'));
    if (!myself) throw new OperationError(`${formatAddr(addr)} did not list itself in CLUSTER NODES`);
    return { addr: formatAddr(addr), id: myself.id, keys: await client.dbsize(), lines };
  });
}

/** The seed's CLUSTER NODES. */
export async function readSeedLines(seed: HostPort, conn: ConnectionOptions): Promise<ClusterNodeLine[]> {
  return withNode(seed, conn, (client) => readOwnView(client, formatAddr(seed)));
}

/** Introduce the new node to the cluster: it sends MEET to the seed (as redis-cli add-node does). */
export async function meetNode(fresh: HostPort, seed: HostPort, conn: ConnectionOptions): Promise<void> {
  await withNode(fresh, conn, (client) => client.call('CLUSTER', 'MEET', seed.host, String(seed.port)));
}

/**
 * Wait until the seed lists `id` as a full member (not in handshake), then until every node knows
 * every other and each master reports cluster_state:ok (waitUntilClusterStable): the moment moving
 * slots to it cannot fail with CLUSTERDOWN.
 */
export async function waitForMember(seed: HostPort, conn: ConnectionOptions, id: string, timeoutMs: number, say: (m: string) => void): Promise<Topology> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = await readSeedLines(seed, conn);
    if (lines.some((l) => l.id === id && !l.flags.includes('handshake'))) break;
    if (Date.now() > deadline) throw new OperationError(`the cluster did not learn node ${id.slice(0, 8)} within ${Math.round(timeoutMs / 1000)} s (check that the nodes can reach each other's cluster bus port, +10000)`);
    await sleep(100);
  }
  for (;;) {
    const remaining = Math.max(1000, deadline - Date.now());
    let t: Topology;
    try {
      t = await waitUntilClusterStable(seed, conn, remaining, say);
    } catch (error) {
      if (error instanceof RefusedError) throw new OperationError(error.message);
      throw error;
    }
    if (t.nodes.some((n) => n.id === id)) return t;
    await sleep(100);
  }
}

/** CLUSTER REPLICATE on the new node, retried while gossip has not told it about its master yet. */
export async function attachReplica(replica: HostPort, masterId: string, conn: ConnectionOptions, timeoutMs = 20_000): Promise<void> {
  await withNode(replica, conn, async (client) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await client.call('CLUSTER', 'REPLICATE', masterId);
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new OperationError(`CLUSTER REPLICATE ${masterId.slice(0, 8)} on ${formatAddr(replica)} failed: ${(error as Error).message}`);
        await sleep(200);
      }
    }
  });
}

/**
 * Wait until every node's view shows `id` as a replica of `masterId` (roles travel by gossip after
 * CLUSTER REPLICATE returns), so what follows reads a settled cluster.
 */
export async function waitForRole(seed: HostPort, conn: ConnectionOptions, id: string, masterId: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await readTopology(seed, conn, { keys: false });
    const views = await Promise.all(
      t.nodes.filter((n) => n.reachable).map((n) => withNode(parseAddr(n.addr), conn, (c) => readOwnView(c, n.addr)).catch(() => null)),
    );
    if (views.every((v) => v?.find((l) => l.id === id)?.masterId === masterId)) return;
    if (Date.now() > deadline) throw new OperationError(`not every node sees ${id.slice(0, 8)} as a replica of ${masterId.slice(0, 8)} after ${Math.round(timeoutMs / 1000)} s`);
    await sleep(200);
  }
}

/** CLUSTER FORGET `ids` on `on`; "unknown node" means already forgotten, which is what we want. */
async function forgetOn(addr: string, ids: readonly string[], conn: ConnectionOptions): Promise<string[]> {
  return withNode(parseAddr(addr), conn, async (client) => {
    const left: string[] = [];
    for (const id of ids) {
      try {
        await client.call('CLUSTER', 'FORGET', id);
      } catch (error) {
        if (!/unknown node/i.test((error as Error).message)) left.push(`${addr}: ${(error as Error).message}`);
      }
    }
    return left;
  });
}

/**
 * Nodes that stay but did not answer this read, though the seed does not suspect them (isSuspect):
 * busy for a moment, most often a replica loading the full sync of a master it was just moved to
 * (it answers LOADING to everything). They must be told too: a node that still lists a
 * removed one gossips it to the others once their FORGET bans end, and they would meet it again.
 */
function silentNodes(t: Topology, gone: ReadonlySet<string>): Topology['nodes'] {
  return t.nodes.filter((n) => !gone.has(n.id) && !n.reachable && !isSuspect(n));
}

/**
 * Make every node forget `ids`. Each FORGET bans the id on that node for 60 s; all of them are sent
 * at once, and then every view is read back (and FORGET repeated) until none lists them, so no node
 * re-learns a removed one through another's gossip once the bans expire. A node that does not answer
 * for a moment (silentNodes) is waited for, until the deadline.
 */
export async function forgetEverywhere(seed: HostPort, conn: ConnectionOptions, ids: readonly string[], timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const gone = new Set(ids);
  for (let round = 1; ; round++) {
    const t = await readTopology(seed, conn, { keys: false });
    const stay = t.nodes.filter((n) => !gone.has(n.id) && n.reachable);
    const silent = silentNodes(t, gone);
    const errors = (await Promise.all(stay.map((n) => forgetOn(n.addr, ids, conn).catch((error: Error) => [`${n.addr}: ${error.message}`])))).flat();
    // A view that cannot be read now (the node began loading since the read) is not confirmed yet.
    const views = await Promise.all(
      stay.map((n) =>
        withNode(parseAddr(n.addr), conn, (c) => readOwnView(c, n.addr)).catch((error: Error) => {
          errors.push(`${n.addr}: ${error.message}`);
          return null;
        }),
      ),
    );
    if (!silent.length && views.every((v) => v !== null && !v.some((l) => gone.has(l.id)))) return stay.length;
    if (Date.now() > deadline) {
      const names = ids.map((i) => i.slice(0, 8)).join(', ');
      if (silent.length) {
        throw new OperationError(`${silent.map((n) => n.addr).join(', ')} did not answer for ${Math.round(timeoutMs / 1000)} s and may still list ${names}: run the same command again once it answers (within 60 s of this FORGET), or it may gossip them back`);
      }
      throw new OperationError(`nodes still list ${names} after ${round} FORGET round(s)${errors.length ? `: ${errors[0]}` : ''}`);
    }
    await sleep(200);
  }
}

/**
 * CLUSTER RESET SOFT on a removed node: it forgets every other node, so it cannot gossip its way
 * back, and can be added again later. A master still holding keys is refused by Redis (a drained
 * node holds none), which stops us from wiping data.
 */
export async function resetNode(addr: HostPort, conn: ConnectionOptions): Promise<void> {
  await withNode(addr, conn, async (client) => {
    try {
      await client.call('CLUSTER', 'RESET', 'SOFT');
    } catch (error) {
      throw new OperationError(`CLUSTER RESET on ${formatAddr(addr)} failed: ${(error as Error).message}`);
    }
  });
}

/** SHUTDOWN NOSAVE; the connection closing is the answer. */
export async function shutdownNode(addr: HostPort, conn: ConnectionOptions): Promise<void> {
  await withNode(addr, conn, async (client) => {
    await client.call('SHUTDOWN', 'NOSAVE').catch((error: Error) => {
      if (!/closed|ECONNRESET|Connection is closed/i.test(error.message)) throw new OperationError(`SHUTDOWN on ${formatAddr(addr)} failed: ${error.message}`);
    });
  });
}

/**
 * A node the seed no longer lists but another node still does: a removal interrupted during FORGET.
 * `ref` is host:port or an id prefix (8+). Returns its id and address so a re-run finishes forgetting.
 */
export async function findListedElsewhere(t: Topology, ref: string, conn: ConnectionOptions): Promise<{ id: string; addr: string; reachable: boolean } | null> {
  for (const n of t.nodes.filter((x) => x.reachable)) {
    const lines = await withNode(parseAddr(n.addr), conn, (c) => readOwnView(c, n.addr)).catch(() => [] as ClusterNodeLine[]);
    const hit = lines.find((l) => l.addr === ref || (ref.length >= 8 && l.id.startsWith(ref.toLowerCase())));
    if (hit && !t.nodes.some((x) => x.id === hit.id)) return { id: hit.id, addr: hit.addr, reachable: true };
  }
  return null;
}

/**
 * A node every member has forgotten but that still lists members itself: a removal cut short
 * between FORGET and RESET. `ref` must be host:port (it is no longer in any view to resolve an id).
 */
export async function findForgottenButNotReset(t: Topology, ref: string, conn: ConnectionOptions): Promise<{ id: string; addr: string; reachable: boolean } | null> {
  let addr: HostPort;
  try {
    addr = parseAddr(ref);
  } catch {
    return null;
  }
  const lines = await withNode(addr, conn, (c) => readOwnView(c, ref)).catch(() => null);
  const myself = lines?.find((l) => l.flags.includes('myself'));
  if (!lines || !myself || t.nodes.some((n) => n.id === myself.id)) return null;
  const members = new Set(t.nodes.map((n) => n.id));
  return lines.some((l) => members.has(l.id)) ? { id: myself.id, addr: formatAddr(addr), reachable: true } : null;
}
