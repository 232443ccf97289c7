import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { forgetEverywhere } from '../../src/lifecycle/node-steps.js';
import { parseAddr } from '../../src/redis/connection.js';
import { useCluster } from '../helpers/cluster.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * A node that answers LOADING for a moment (a replica loading the full sync of a master it was just
 * moved to) cannot be read or told anything; if forgetEverywhere skipped it, it would still list the
 * removed node and gossip it back to the others once their 60 s FORGET bans end. Here a master
 * reloads its data by DEBUG RELOAD, slowed to ~1 ms a key (key-load-delay), while answering LOADING
 * to every client (events every 1 KB loaded).
 */
describe('forgetEverywhere with a node that is loading its data', () => {
  const cluster = useCluster({ masters: 3, empty: 1, keys: 3000 });

  it('waits for the loading node and makes it forget too', async () => {
    const c = cluster();
    const leaving = c.nodes.find((n) => n.role === 'empty-master')!;
    const loading = c.nodes[1]!;
    const admin = new Redis({ host: loading.host, port: loading.port, lazyConnect: true, maxRetriesPerRequest: 0 });
    await admin.connect();
    await admin.call('CONFIG', 'SET', 'loading-process-events-interval-bytes', '1024');
    await admin.call('CONFIG', 'SET', 'key-load-delay', '1000');
    const reload = admin.call('DEBUG', 'RELOAD');
    try {
      const probe = new Redis({ host: loading.host, port: loading.port, maxRetriesPerRequest: 0, enableReadyCheck: false, lazyConnect: true });
      await probe.connect();
      await waitFor('the node to answer LOADING', () => probe.ping().then(() => false, (error: Error) => /^LOADING/.test(error.message)), { everyMs: 5 });
      probe.disconnect();

      const stay = await forgetEverywhere(parseAddr(c.seed), {}, [leaving.id]);

      expect(stay).toBe(3);
      for (const n of c.nodes.filter((x) => x.id !== leaving.id)) {
        const view = (await c.client(n).call('CLUSTER', 'NODES')) as string;
        expect(view.includes(leaving.id), `${n.addr} still lists the removed node`).toBe(false);
      }
    } finally {
      await reload.catch(() => undefined);
      await admin.call('CONFIG', 'SET', 'key-load-delay', '0').catch(() => undefined);
      admin.disconnect();
    }
  });
});
