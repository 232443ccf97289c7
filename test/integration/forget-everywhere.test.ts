import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { LifecycleEvent, StepEvent } from '../../src/lifecycle/events.js';
import { removeFromCluster } from '../../src/lifecycle/join-steps.js';
import { forgetEverywhere } from '../../src/lifecycle/node-steps.js';
import { parseAddr } from '../../src/redis/connection.js';
import { useCluster, type LocalNode } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * A node that answers LOADING for a moment (a replica loading the full sync of a master it was just
 * moved to) cannot be read or told anything; if forgetEverywhere skipped it, it would still list the
 * removed node and gossip it back to the others once their 60 s FORGET bans end. Here a master
 * reloads its data by DEBUG RELOAD, slowed to ~1 ms a key (key-load-delay), while answering LOADING
 * to every client (events every 1 KB loaded).
 */
/** Start a slow DEBUG RELOAD on `node` (~1 ms a key) and wait until it answers LOADING; returns how to wait for its end. */
async function startSlowReload(node: LocalNode, usPerKey: number): Promise<() => Promise<void>> {
  const admin = new Redis({ host: node.host, port: node.port, lazyConnect: true, maxRetriesPerRequest: 0 });
  await admin.connect();
  await admin.call('CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024');
  await admin.call('CONFIG', 'SET', 'key-load-delay', String(usPerKey));
  const reload = admin.call('DEBUG', 'RELOAD');
  // No ready check: ioredis' would wait for the loading to end.
  const probe = new Redis({ host: node.host, port: node.port, maxRetriesPerRequest: 0, enableReadyCheck: false, lazyConnect: true });
  await probe.connect();
  await waitFor('the node to answer LOADING', () => probe.ping().then(() => false, (error: Error) => /^LOADING/.test(error.message)), { everyMs: 5 });
  probe.disconnect();
  return async () => {
    await reload.catch(() => undefined);
    await admin.call('CONFIG', 'SET', 'key-load-delay', '0').catch(() => undefined);
    admin.disconnect();
  };
}

describe('forgetEverywhere with a node that is loading its data', () => {
  const cluster = useCluster({ masters: 3, empty: 1, keys: 3000 });

  it('waits for the loading node and makes it forget too', async () => {
    const c = cluster();
    const leaving = c.nodes.find((n) => n.role === 'empty-master')!;
    const loading = c.nodes[1]!;
    const reloaded = await startSlowReload(loading, 1000);
    try {
      const stay = await forgetEverywhere(parseAddr(c.seed), {}, [leaving.id]);

      expect(stay).toBe(3);
      for (const n of c.nodes.filter((x) => x.id !== leaving.id)) {
        const view = (await c.client(n).call('CLUSTER', 'NODES')) as string;
        expect(view.includes(leaving.id), `${n.addr} still lists the removed node`).toBe(false);
      }
    } finally {
      await reloaded();
    }
  });
});

describe('removeFromCluster with a leaving replica that is loading its data, or dead', () => {
  const cluster = useCluster({ masters: 3, replicasPerMaster: 1, keys: 3000 });

  it('waits for it to answer, then resets it: it cannot gossip its way back', async () => {
    const c = cluster();
    const replica = c.nodes.find((n) => n.role === 'replica')!;
    const reloaded = await startSlowReload(replica, 2000);
    const events: LifecycleEvent[] = [];
    try {
      // As remove-node hands it over when its last read could not reach the node (it was loading).
      await removeFromCluster({ seed: parseAddr(c.seed), conn: {}, emit: (e) => events.push(e) }, [{ id: replica.id, addr: replica.addr, reachable: false }], false);
    } finally {
      await reloaded();
    }
    expect(events.filter((e): e is StepEvent => e.type === 'step' && e.step === 'reset').map((e) => e.status)).toEqual(['done']);
    const own = ((await c.client(replica).call('CLUSTER', 'NODES')) as string).trim().split('\n');
    expect(own, 'the reset node still knows other nodes').toHaveLength(1);
    for (const n of c.nodes.filter((x) => x.id !== replica.id)) {
      expect(((await c.client(n).call('CLUSTER', 'NODES')) as string).includes(replica.id), `${n.addr} still lists the removed replica`).toBe(false);
    }
  });

  it('does not wait for a dead leaving replica (nothing listens): skips its reset at once, and every other node forgets it', async () => {
    const c = cluster();
    const dead = c.nodes.filter((n) => n.role === 'replica')[1]!;
    process.kill(dead.pid, 'SIGKILL');
    await waitFor('the replica to refuse connections', () => c.client(dead).ping().then(() => false, () => true));
    const events: LifecycleEvent[] = [];
    const started = Date.now();
    await removeFromCluster({ seed: parseAddr(c.seed), conn: {}, emit: (e) => events.push(e) }, [{ id: dead.id, addr: dead.addr, reachable: false }], false);
    const reset = events.filter((e): e is StepEvent => e.type === 'step' && e.step === 'reset');
    expect(reset.map((e) => e.status)).toEqual(['skipped']);
    expect(reset[0]!.message).toMatch(/not reachable when the cluster was read, and it did not answer: .*connection refused/);
    // It used to be asked for 5 s, the wait for a node that may still be loading.
    expect(Date.now() - started, 'removeFromCluster waited for a dead node').toBeLessThan(4000);
    for (const n of c.nodes.filter((x) => x.id !== dead.id && x.id !== c.nodes.filter((r) => r.role === 'replica')[0]!.id)) {
      expect(((await c.client(n).call('CLUSTER', 'NODES')) as string).includes(dead.id), `${n.addr} still lists the dead replica`).toBe(false);
    }
  });
});
