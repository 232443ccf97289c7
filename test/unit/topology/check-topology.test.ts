import { describe, expect, it } from 'vitest';
import { checkTopology } from '../../../src/topology/check-topology.js';
import { topologyFromClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';
import type { Topology } from '../../../src/topology/types.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

/** A live-looking topology: offline parse plus the fields the reader fills in. */
function live(text: string, patch: Partial<Topology> = {}): Topology {
  const t = topologyFromClusterNodes(text);
  return {
    ...t,
    readAt: '2026-01-01T00:00:00.000Z',
    nodes: t.nodes.map((n) => ({ ...n, reachable: true, clusterState: 'ok' })),
    ...patch,
  };
}

const HEALTHY = [
  `${A} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-8191`,
  `${B} 127.0.0.1:7001@17001 master - 0 0 2 connected 8192-16383`,
].join('\n');

describe('checkTopology', () => {
  it('finds nothing wrong in a healthy cluster', () => {
    expect(checkTopology(live(HEALTHY))).toEqual([]);
  });

  it('reports uncovered slots as ranges', () => {
    const problems = checkTopology(live(HEALTHY.replace('8192-16383', '8192-16000')));
    expect(problems).toEqual([expect.objectContaining({ kind: 'uncovered', message: '383 slot(s) have no owner: 16001-16383' })]);
  });

  it('reports an open slot naming both nodes', () => {
    const problems = checkTopology(live(HEALTHY.replace('0-8191', `0-8191 [5->-${B}]`)));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'open-slot', slots: [5], nodes: [A, B] });
    expect(problems[0]!.message).toBe('slot 5 is open on 127.0.0.1:7000 (aaaaaaaa): migrating to 127.0.0.1:7001 (bbbbbbbb)');
  });

  it('reports failing flags, disconnected links, unreachable nodes and cluster_state', () => {
    const t = live(HEALTHY.replace('master - 0 0 2 connected', 'master,fail? - 0 0 2 disconnected'));
    const nodes = t.nodes.map((n) => (n.id === A ? { ...n, clusterState: 'fail' } : { ...n, reachable: false }));
    const kinds = checkTopology({ ...t, nodes }).map((p) => p.kind);
    expect(kinds).toEqual(['cluster-state', 'node-failing', 'node-unreachable']);
  });

  it('reports a disconnected link without a failure flag', () => {
    const t = live(HEALTHY.replace('master - 0 0 2 connected', 'master - 0 0 2 disconnected'));
    expect(checkTopology(t).map((p) => p.message)).toEqual(['127.0.0.1:7001 (bbbbbbbb) has its cluster link disconnected']);
  });

  it('reports disagreements between views', () => {
    const t = live(HEALTHY, { disagreements: [{ node: B, message: 'says slot 3 belongs to bbbbbbbb', slots: [3] }] });
    expect(checkTopology(t)).toEqual([{ kind: 'disagreement', message: '127.0.0.1:7001 (bbbbbbbb) says slot 3 belongs to bbbbbbbb', nodes: [B], slots: [3] }]);
  });

  it('does not call offline topologies unreachable', () => {
    expect(checkTopology(topologyFromClusterNodes(HEALTHY))).toEqual([]);
  });
});
