import { topologyFromClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';
import type { Topology } from '../../../src/topology/types.js';

/** Node ids by name, 40 hex characters each (g and h spelled 1 and 2). */
export const ID = Object.fromEntries('abcdefgh'.split('').map((c) => [c, ({ g: '1', h: '2' }[c] ?? c).repeat(40)])) as Record<string, string>;

/** A CLUSTER NODES line: `node('a', 'myself,master', '-', '0-5460')`. */
export function line(name: string, flags: string, master: string, slots = ''): string {
  const port = 7000 + 'abcdefgh'.indexOf(name);
  return `${ID[name]} 127.0.0.1:${port}@${port + 10000} ${flags} ${master === '-' ? '-' : ID[master]} 0 0 1 connected ${slots}`.trim();
}

/** A live-looking topology from CLUSTER NODES lines: every node reachable and ok. */
export function liveTopology(lines: readonly string[]): Topology {
  const t = topologyFromClusterNodes(lines.join('\n'), '127.0.0.1:7000');
  return { ...t, readAt: '2026-01-01T00:00:00Z', nodes: t.nodes.map((n) => ({ ...n, reachable: true, clusterState: 'ok' })) };
}

/** Three masters a, b, c, each with one replica d, e, f. */
export const threeByOne = (): Topology =>
  liveTopology([
    line('a', 'myself,master', '-', '0-5460'),
    line('b', 'master', '-', '5461-10922'),
    line('c', 'master', '-', '10923-16383'),
    line('d', 'slave', 'a'),
    line('e', 'slave', 'b'),
    line('f', 'slave', 'c'),
  ]);
