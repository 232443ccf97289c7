import { describe, expect, it } from 'vitest';
import { settleOwners, staleSlots } from '../../../src/executor/settle-owners.js';
import { parseClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';
import { FakeCluster, ids } from './fake-admin.js';

const [A, B, C] = ids as [string, string, string, string];

describe('staleSlots', () => {
  const view = parseClusterNodes([`${A} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-9`, `${B} 127.0.0.1:7001@17001 master - 0 0 2 connected 10-19`].join('\n'));
  it('names the closed slots the view gives to another node or to none', () => {
    expect(staleSlots(view, new Map([[5, A], [12, B]]))).toEqual([]);
    expect(staleSlots(view, new Map([[5, B], [12, B], [30, B]]))).toEqual([5, 30]);
  });
});

describe('settleOwners', () => {
  const three = () => new FakeCluster({ [A]: [0, 9], [B]: [10, 19], [C]: [20, 16383] }, () => 0);

  it('reads every master and tells only the ones whose view is behind', async () => {
    const fake = three();
    // B and C already show C as slot 5's owner; A still shows itself until told.
    fake.nodes.get(B)!.owners.set(5, C);
    fake.nodes.get(C)!.owners.set(5, C);
    expect(await settleOwners(fake.admin(), new Map([[5, C]]))).toEqual({ told: 1, unsettled: [] });
    expect(fake.log).toEqual([`a SETSLOT 5 NODE ${C}`]);
    expect(fake.nodes.get(A)!.owners.get(5)).toBe(C);
  });

  it('gives up after the timeout on a master that refuses, and names it', async () => {
    const fake = three();
    fake.before = (node, command) => {
      if (node === A && command === 'SETSLOT') throw new Error('ERR injected refusal');
    };
    const settled = await settleOwners(fake.admin(), new Map([[15, C]]), 120);
    expect(settled.unsettled).toEqual([A]);
    expect(settled.told).toBeGreaterThanOrEqual(2); // B once, A on every round until the time ran out
    expect(fake.nodes.get(B)!.owners.get(15)).toBe(C);
  });

  it('leaves a master that does not answer to gossip', async () => {
    const fake = three();
    fake.before = (node, command) => {
      if (node === B && command === 'NODES') throw new Error('connection lost');
    };
    expect(await settleOwners(fake.admin(), new Map([[5, C]]))).toEqual({ told: 2, unsettled: [] });
  });
});
