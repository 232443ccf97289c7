/**
 * A target claiming a round's slots in one transaction, on a real cluster: every node ends with the
 * target as owner and no marker left, the target's epoch is the highest, the keys are there, and the
 * target broadcast once instead of once per slot (its PONG count says so, against the one-by-one path).
 */
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { claimSlots, transactionsAllowed } from '../../src/executor/claim-slots.js';
import { PipeConnection } from '../../src/redis/pipe-connection.js';
import { parseClusterNodes } from '../../src/topology/parse-cluster-nodes.js';
import { useCluster, type LocalNode } from '../helpers/cluster.js';

const range = (a: number, n: number): number[] => Array.from({ length: n }, (_, i) => a + i);

describe('claim transaction', () => {
  const cluster = useCluster({ masters: 3, keys: 20_000 });
  const open: (Redis | PipeConnection)[] = [];
  afterEach(() => {
    for (const c of open.splice(0)) (c instanceof PipeConnection ? c.destroy() : c.disconnect());
  });
  const client = (n: LocalNode): Redis => {
    const c = cluster().client(n);
    open.push(c);
    return c;
  };
  const link = async (n: LocalNode, user?: { user: string; password: string }): Promise<PipeConnection> => {
    const c = await PipeConnection.open(n, user ?? {}, 'claim-test');
    open.push(c);
    return c;
  };
  const pongsSent = async (n: LocalNode): Promise<number> => Number(/cluster_stats_messages_pong_sent:(\d+)/.exec(String(await client(n).call('CLUSTER', 'INFO')))?.[1]);

  /** Open `slots` from a to b and move their keys, as a run does before the claim. Returns the keys moved. */
  async function openAndMove(slots: readonly number[]): Promise<number> {
    const [a, b] = cluster().nodes;
    const sa = client(a!);
    const sb = client(b!);
    let moved = 0;
    for (const slot of slots) {
      await sb.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', a!.id);
      await sa.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', b!.id);
      const keys = (await sa.call('CLUSTER', 'GETKEYSINSLOT', String(slot), '1000')) as string[];
      if (keys.length) await sa.call('MIGRATE', b!.host, String(b!.port), '', '0', '5000', 'KEYS', ...keys);
      moved += keys.length;
    }
    return moved;
  }

  /** What the others do after the target's claim: the source, then the third master. */
  async function tellTheOthers(slots: readonly number[]): Promise<void> {
    const [a, b, c] = cluster().nodes;
    for (const n of [a!, c!]) for (const slot of slots) await client(n).call('CLUSTER', 'SETSLOT', String(slot), 'NODE', b!.id);
  }

  async function expectOwnedByB(slots: readonly number[], keys: number): Promise<void> {
    const [, b] = cluster().nodes;
    for (const n of cluster().nodes) {
      const lines = parseClusterNodes(String(await client(n).call('CLUSTER', 'NODES')));
      const owner = lines.find((l) => l.id === b!.id)!;
      for (const slot of slots) expect(owner.slots.some(([lo, hi]) => slot >= lo && slot <= hi), `${n.addr} sees ${slot} on the target`).toBe(true);
      const me = lines.find((l) => l.flags.includes('myself'))!;
      expect(me.openSlots.filter((o) => slots.includes(o.slot)), `${n.addr} has no marker left`).toEqual([]);
    }
    let found = 0;
    for (const slot of slots) found += Number(await client(b!).call('CLUSTER', 'COUNTKEYSINSLOT', String(slot)));
    expect(found).toBe(keys);
  }

  it('claims every slot with one broadcast and the highest epoch; one by one costs a broadcast per slot', async () => {
    const [, b] = cluster().nodes;
    const batch = range(0, 20);
    const moved = await openAndMove(batch);
    expect(moved).toBeGreaterThan(0);
    const target = await link(b!);
    expect(await transactionsAllowed(target)).toBe(true);

    const before = await pongsSent(b!);
    expect(await claimSlots(target, b!.id, batch, { transactions: true })).toEqual(Array(batch.length).fill(null));
    const inOne = (await pongsSent(b!)) - before;
    await tellTheOthers(batch);
    await expectOwnedByB(batch, moved);

    const single = range(20, 20);
    const movedSingly = await openAndMove(single);
    const before2 = await pongsSent(b!);
    expect(await claimSlots(target, b!.id, single, { transactions: false })).toEqual(Array(single.length).fill(null));
    const oneByOne = (await pongsSent(b!)) - before2;
    await tellTheOthers(single);
    await expectOwnedByB(single, movedSingly);

    // One by one: a PONG to each of the 2 other masters per slot. In one: the single broadcast (2),
    // plus whatever answers to the cluster's own PINGs fell in the same few milliseconds.
    expect(oneByOne).toBeGreaterThanOrEqual(2 * single.length);
    expect(inOne).toBeLessThan(single.length / 2);
    const epochs = parseClusterNodes(String(await client(b!).call('CLUSTER', 'NODES'))).map((l) => ({ id: l.id, epoch: l.configEpoch }));
    const mine = epochs.find((e) => e.id === b!.id)!.epoch;
    expect(Math.max(...epochs.filter((e) => e.id !== b!.id).map((e) => e.epoch))).toBeLessThan(mine);
  });

  it('a user without CLUSTER BUMPEPOCH: the refused transaction changes nothing and the claims go one by one', async () => {
    const [, b] = cluster().nodes;
    await client(b!).call('ACL', 'SETUSER', 'nobump', 'on', '>nobump-pw-1', '~*', '&*', '+@all', '-cluster|bumpepoch');
    await client(b!).call('ACL', 'SETUSER', 'nomulti', 'on', '>nomulti-pw-1', '~*', '&*', '+@all', '-multi');
    expect(await transactionsAllowed(await link(b!, { user: 'nomulti', password: 'nomulti-pw-1' }))).toBe(false);

    const slots = range(40, 10);
    const moved = await openAndMove(slots);
    const mode = { transactions: true };
    const target = await link(b!, { user: 'nobump', password: 'nobump-pw-1' });
    expect(await claimSlots(target, b!.id, slots, mode)).toEqual(Array(slots.length).fill(null));
    expect(mode.transactions).toBe(false);
    await tellTheOthers(slots);
    await expectOwnedByB(slots, moved);
  });
});
