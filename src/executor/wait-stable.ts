import { RefusedError } from '../errors.js';
import type { ConnectionOptions, HostPort } from '../redis/connection.js';
import { checkTopology, type Problem } from '../topology/check-topology.js';
import { readTopology } from '../topology/read-topology.js';
import type { Topology } from '../topology/types.js';

/**
 * Wait until every node agrees on the configuration and reports cluster_state:ok. A master that just
 * joined reports `fail` for a moment; moving a slot to it then fails with CLUSTERDOWN (redis-cli's
 * race right after add-node). Open slots are not waited for: the caller decides about them.
 */
export async function waitUntilClusterStable(
  seed: HostPort,
  conn: ConnectionOptions,
  timeoutMs: number,
  onWait?: (reason: string) => void,
  /** Problems the caller expects and will resolve itself (resume: views that differ on open slots). */
  tolerate?: (problem: Problem, topology: Topology) => boolean,
): Promise<Topology> {
  const deadline = Date.now() + timeoutMs;
  let said = '';
  for (;;) {
    const topology = await readTopology(seed, conn, { keys: false });
    const blocking = checkTopology(topology).filter((p) => p.kind !== 'open-slot' && p.kind !== 'uncovered' && !tolerate?.(p, topology));
    if (!blocking.length) return topology;
    const reason = blocking[0]!.message;
    if (Date.now() > deadline) throw new RefusedError(`cluster not stable after ${Math.round(timeoutMs / 1000)} s: ${reason}`);
    if (reason !== said) onWait?.(`waiting for the cluster to settle: ${reason}`);
    said = reason;
    await new Promise((r) => setTimeout(r, 200));
  }
}
