/** Every sample key read back from its owner in a cluster: what the import and sync benchmarks check. */
import calculateSlot from 'cluster-key-slot';
import { Redis } from 'ioredis';
import { readSampleKeys, readSlotMap, sampleKey, sampleKeyProblem, type SampleKey } from './sample-keys.js';

/** A client for `host:port` without retries (benchmarks want failures to show). */
export function benchClient(addr: string): Redis {
  const colon = addr.lastIndexOf(':');
  const c = new Redis({ host: addr.slice(0, colon), port: Number(addr.slice(colon + 1)), lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
  c.on('error', () => {});
  return c;
}

/**
 * Read sample keys 0..count-1 from their owners and check type, value and TTL (sample-keys' own
 * check allows only 120 s of TTL drift, less than a 1M-key run takes; TTLs counted down since
 * `loadedAt`, when the source was loaded). Returns the number of bad keys (the first 5 printed).
 */
export async function verifyAllSampleKeys(seed: string, count: number, loadedAt: number): Promise<number> {
  const seedClient = benchClient(seed);
  const owners = await readSlotMap(seedClient).finally(() => seedClient.disconnect());
  const clients = new Map<string, Redis>();
  let bad = 0;
  try {
    for (let from = 0; from < count; from += 20_000) {
      const byOwner = new Map<string, SampleKey[]>();
      for (let i = from; i < Math.min(count, from + 20_000); i++) {
        const k = sampleKey(i);
        const owner = owners[calculateSlot(k.key)]!;
        (byOwner.get(owner) ?? byOwner.set(owner, []).get(owner)!).push(k);
      }
      await Promise.all(
        [...byOwner].map(async ([owner, keys]) => {
          if (!clients.has(owner)) clients.set(owner, benchClient(owner));
          const read = await readSampleKeys(clients.get(owner)!, keys);
          // Reading 1M keys takes a while: the age is taken when this chunk was read, not at the start.
          const maxAgeSec = Math.ceil((Date.now() - loadedAt) / 1000);
          keys.forEach((k, n) => {
            const problem = sampleKeyProblem(k, read[n]!.type, read[n]!.value, read[n]!.ttl, maxAgeSec + 2);
            if (problem && bad++ < 5) console.error(`\n  ${k.key}: ${problem}`);
          });
        }),
      );
    }
  } finally {
    for (const c of clients.values()) c.disconnect();
  }
  return bad;
}
