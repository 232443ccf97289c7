import { Cluster } from 'ioredis';
import type { LoadClient } from './load-client.js';

/** ioredis Cluster with its default redirect and retry settings, as an application would use it. */
export function ioredisClient(host: string, port: number, password?: string): LoadClient {
  const cluster = new Cluster([{ host, port }], { redisOptions: { password } });
  cluster.on('error', () => {});
  return {
    name: 'ioredis',
    async set(key, value) {
      await cluster.set(key, value);
    },
    get: (key) => cluster.get(key),
    async mset(pairs) {
      await cluster.mset(...pairs.flat());
    },
    mget: (keys) => cluster.mget(...keys),
    async incrInMulti(counter, key, value) {
      const replies = await cluster.multi().incr(counter).set(key, value).exec();
      if (!replies) throw new Error('EXEC returned null (transaction aborted)');
      const failed = replies.find(([error]) => error);
      if (failed) throw failed[0]!;
      return Number(replies[0]![1]);
    },
    async close() {
      cluster.disconnect();
    },
  };
}
