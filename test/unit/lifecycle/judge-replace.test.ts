import { describe, expect, it } from 'vitest';
import { judgeReplace, showsRolesSwapped } from '../../../src/lifecycle/judge-replace.js';
import { parseClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';
import { ID, line, liveTopology, threeByOne } from './fixtures.js';

const nodeOf = (t: ReturnType<typeof threeByOne>, id: string) => t.nodes.find((n) => n.id === id)!;

describe('judgeReplace', () => {
  it('starts with a master and a node that is not a member', () => {
    const t = threeByOne();
    expect(judgeReplace(t, nodeOf(t, ID.b!), null)).toBe('start');
  });

  it('refuses a replica, and a master that cannot serve a sync', () => {
    const t = threeByOne();
    expect(() => judgeReplace(t, nodeOf(t, ID.e!), null)).toThrow(/is a replica; replace-node moves a master/);
    const failing = { ...t, nodes: t.nodes.map((n) => (n.id === ID.b ? { ...n, flags: [...n.flags, 'fail' as const] } : n)) };
    expect(() => judgeReplace(failing, nodeOf(failing, ID.b!), null)).toThrow(/failing or unreachable/);
  });

  it('reads how far an earlier run got', () => {
    const syncing = liveTopology([line('a', 'myself,master', '-', '0-16383'), line('g', 'slave', 'a')]);
    expect(judgeReplace(syncing, nodeOf(syncing, ID.a!), ID.g!)).toBe('syncing');
    const promoted = liveTopology([line('g', 'myself,master', '-', '0-16383'), line('a', 'slave', 'g')]);
    expect(judgeReplace(promoted, nodeOf(promoted, ID.a!), ID.g!)).toBe('promoted');
    const other = liveTopology([line('a', 'myself,master', '-', '0-8191'), line('b', 'master', '-', '8192-16383'), line('g', 'slave', 'b')]);
    expect(() => judgeReplace(other, nodeOf(other, ID.a!), ID.g!)).toThrow(/already a replica of this cluster/);
  });

  it('continues from the join when a stopped run left the new node an empty master of the cluster', () => {
    const t = liveTopology([line('a', 'myself,master', '-', '0-16383'), line('g', 'master', '-')]);
    const withKeys = (keys: number) => ({ ...t, nodes: t.nodes.map((n) => (n.id === ID.g ? { ...n, keys } : n)) });
    expect(judgeReplace(withKeys(0), nodeOf(t, ID.a!), ID.g!)).toBe('start');
    expect(() => judgeReplace(withKeys(5), nodeOf(t, ID.a!), ID.g!)).toThrow(/already a master of this cluster/);
    // The seed has not heard yet that the new node turned replica; the node itself says so.
    expect(judgeReplace(withKeys(5), nodeOf(t, ID.a!), ID.g!, ID.a!)).toBe('syncing');
  });
});

describe('showsRolesSwapped', () => {
  it('is true once the new node is master and the old one its replica or gone', () => {
    expect(showsRolesSwapped(parseClusterNodes([line('a', 'master', '-', '0-16383'), line('g', 'myself,slave', 'a')].join('\n')), ID.a!, ID.g!)).toBe(false);
    expect(showsRolesSwapped(parseClusterNodes([line('a', 'slave', 'g'), line('g', 'myself,master', '-', '0-16383')].join('\n')), ID.a!, ID.g!)).toBe(true);
    expect(showsRolesSwapped(parseClusterNodes(line('g', 'myself,master', '-', '0-16383')), ID.a!, ID.g!)).toBe(true);
  });
});
