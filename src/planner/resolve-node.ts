import { UsageError } from '../errors.js';
import type { Topology, TopologyNode } from '../topology/types.js';

/** Shortest id prefix accepted: 8 hex characters make an accidental match unlikely. */
const MIN_PREFIX = 8;

/**
 * The node a user means by `ref`: `host:port` (or `hostname:port`), or a node id or unique prefix of
 * at least 8 characters. `what` names the option in the error (`--node`, `--from`, …).
 */
export function resolveNode(topology: Topology, ref: string, what = 'node'): TopologyNode {
  const text = ref.trim();
  const byAddr = topology.nodes.filter((n) => n.addr === text || (n.hostname && `${n.hostname}:${n.port}` === text));
  if (byAddr.length === 1) return byAddr[0]!;
  if (/^[0-9a-f]+$/i.test(text)) {
    if (text.length < MIN_PREFIX) throw new UsageError(`${what} "${text}": give at least ${MIN_PREFIX} characters of the node id, or HOST:PORT`);
    const matches = topology.nodes.filter((n) => n.id.startsWith(text.toLowerCase()));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) {
      throw new UsageError(`${what} "${text}" is ambiguous: it matches ${matches.map((n) => n.addr).join(', ')}`);
    }
  }
  throw new UsageError(`${what} "${text}" is not a node of this cluster (give HOST:PORT or a node id)`);
}

/** Like resolveNode, and the node must be a master that may receive or give slots. */
export function resolveMaster(topology: Topology, ref: string, what = 'node'): TopologyNode {
  const node = resolveNode(topology, ref, what);
  if (node.role !== 'master') throw new UsageError(`${what} ${node.addr} is a replica; slots live on masters`);
  return node;
}
