/**
 * One client library's mixed load in a worker thread: its own event loop, so one library's work never
 * delays the other's replies and each latency figure is its own. Posts `ready` once the loops run,
 * and its stats after a `stop` message.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ioredisClient } from './ioredis-client.js';
import type { ClientName } from './load-client.js';
import { MixedLoad, type MixedLoadOptions } from './mixed-load.js';
import { nodeRedisClient } from './node-redis-client.js';

export interface LoadWorkerData {
  readonly client: ClientName;
  readonly host: string;
  readonly port: number;
  readonly password?: string;
  readonly options: MixedLoadOptions;
}

const data = workerData as LoadWorkerData;
const client = data.client === 'ioredis' ? ioredisClient(data.host, data.port, data.password) : await nodeRedisClient(data.client, data.host, data.port, data.password);
const load = new MixedLoad(client, data.options);
await load.start();
parentPort!.postMessage({ type: 'ready' });
parentPort!.once('message', async () => {
  const stats = await load.stop();
  await client.close();
  parentPort!.postMessage({ type: 'stats', stats });
});
