/**
 * A live client load for benchmarks and fault tests: N writers of unique keys through ioredis
 * Cluster (following MOVED/ASK like a real application), recording latency, errors and every
 * acknowledged write, which `verify()` reads back afterwards.
 */
import { Cluster } from 'ioredis';

export interface LoadStats {
  readonly ops: number;
  readonly errors: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly firstError: string | null;
}

export interface LiveLoad {
  /** Writes acknowledged so far (tests wait until the load is really running). */
  readonly acknowledged: number;
  stop(): Promise<LoadStats>;
  /** Read back every acknowledged write; returns how many are missing or wrong. */
  verify(): Promise<number>;
  close(): void;
}

function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * `retryDelayOnMoved`: ioredis' default is 0 (a MOVED is followed at once), which is what an
 * application gets and what the bench uses. Tests that fail nodes over pass a few ms, so a client
 * caught between two nodes that briefly disagree does not spend its redirections in a tight loop.
 */
export function startLoad(seed: string, writers = 8, password?: string, prefix = 'live', retryDelayOnMoved = 5): LiveLoad {
  const [host, port] = [seed.slice(0, seed.lastIndexOf(':')), Number(seed.slice(seed.lastIndexOf(':') + 1))];
  const cluster = new Cluster([{ host, port }], { redisOptions: { password }, maxRedirections: 64, retryDelayOnMoved, retryDelayOnTryAgain: 20 });
  cluster.on('error', () => {});
  const acked: string[] = [];
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let running = true;
  const loops = Array.from({ length: writers }, async (_, w) => {
    for (let i = 0; running; i++) {
      const key = `${prefix}:${w}:${i}`;
      const t = performance.now();
      try {
        await cluster.set(key, `v${i}`);
        latencies.push(performance.now() - t);
        acked.push(key);
      } catch (error) {
        errors++;
        firstError ??= String((error as Error).message ?? error);
      }
    }
  });
  return {
    get acknowledged() {
      return acked.length;
    },
    async stop() {
      running = false;
      await Promise.all(loops);
      const sorted = [...latencies].sort((a, b) => a - b);
      return { ops: latencies.length, errors, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0, firstError };
    },
    async verify() {
      let missing = 0;
      for (let i = 0; i < acked.length; i += 1000) {
        const chunk = acked.slice(i, i + 1000);
        const values = await Promise.all(chunk.map((k) => cluster.get(k)));
        values.forEach((v, j) => {
          const n = Number(chunk[j]!.split(':').pop());
          if (v !== `v${n}`) missing++;
        });
      }
      return missing;
    },
    close() {
      cluster.disconnect();
    },
  };
}
