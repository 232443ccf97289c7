import { createCluster as createCluster5 } from 'redis';
import { createCluster as createCluster6 } from 'redis6';
import type { LoadClient } from './load-client.js';

/**
 * node-redis cluster client with its default settings: `node-redis` is 5.12 (the version most
 * applications run), `node-redis-6` is 6.x, whose MULTI follows MOVED/ASK (5.x sends it to the cached
 * owner and fails on any redirect: redis/node-redis#3394, fixed in 6 by #3395).
 */
export async function nodeRedisClient(name: 'node-redis' | 'node-redis-6', host: string, port: number, password?: string): Promise<LoadClient> {
  const createCluster = (name === 'node-redis' ? createCluster5 : createCluster6) as typeof createCluster5;
  const cluster = createCluster({ rootNodes: [{ url: `redis://${host}:${port}` }], defaults: password ? { password } : {} });
  cluster.on('error', () => {});
  await cluster.connect();
  return {
    name,
    async set(key, value) {
      await cluster.set(key, value);
    },
    async get(key) {
      const v = await cluster.get(key);
      return v === null ? null : String(v);
    },
    async mset(pairs) {
      await cluster.mSet(pairs.map(([k, v]) => [k, v] as [string, string]));
    },
    async mget(keys) {
      return (await cluster.mGet([...keys])).map((v) => (v === null ? null : String(v)));
    },
    async incrInMulti(counter, key, value) {
      const replies = await cluster.multi().incr(counter).set(key, value).exec();
      return Number(replies[0]);
    },
    async close() {
      await cluster.close().catch(() => cluster.destroy());
    },
  };
}
