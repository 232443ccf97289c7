/** Run the mixed load through several client libraries at once, each in its own worker thread. */
import { Worker } from 'node:worker_threads';
import type { ClientName } from './load-client.js';
import type { LoadWorkerData } from './load-worker.js';
import type { MixedLoadOptions, MixedLoadStats } from './mixed-load.js';

export interface RunningLoad {
  /** Stop every client's loops and verify its acknowledged writes. */
  stop(): Promise<MixedLoadStats[]>;
}

/**
 * The worker's compiled file: next to this one when running from dist/, in dist/ when this module
 * is loaded from its TypeScript source (vitest; `npm test` builds first).
 */
const WORKER = import.meta.url.endsWith('.ts') ? new URL('../../../dist/scripts/lib/load/load-worker.js', import.meta.url) : new URL('./load-worker.js', import.meta.url);

/** The bench's default mix per client library. */
export const DEFAULT_MIX: Omit<MixedLoadOptions, 'readKeys' | 'valueSize' | 'prefix'> = { writers: 2, readers: 2, multiKey: 1, transactions: 1, tagsPerLoop: 2000, opsPerSec: 3000 };

function once(worker: Worker, type: string): Promise<{ type: string; stats?: MixedLoadStats }> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type !== type) return;
      worker.off('message', onMessage);
      resolve(m);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`load worker exited with code ${code} before '${type}'`)));
  });
}

/** Start the load; resolves once every client's loops run (their tagged keys created). */
export async function startMixedLoad(seed: string, clients: readonly ClientName[], options: Omit<MixedLoadOptions, 'prefix'>, password?: string): Promise<RunningLoad> {
  const i = seed.lastIndexOf(':');
  const workers = clients.map((client) => {
    const data: LoadWorkerData = { client, host: seed.slice(0, i), port: Number(seed.slice(i + 1)), ...(password ? { password } : {}), options: { ...options, prefix: `load-${client}` } };
    return new Worker(WORKER, { workerData: data });
  });
  await Promise.all(workers.map((w) => once(w, 'ready')));
  return {
    async stop() {
      const stats = await Promise.all(
        workers.map(async (w) => {
          const done = once(w, 'stats');
          w.postMessage('stop');
          return (await done).stats!;
        }),
      );
      await Promise.all(workers.map((w) => w.terminate()));
      return stats;
    },
  };
}
