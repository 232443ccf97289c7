import { checkGrowth, compareSample } from './check-import.js';
import type { PreparedImport } from './preflight.js';
import type { DigestPipeline } from './preflight.js';
import { routeKeys } from './route-keys.js';
import type { VerifyReport } from './types.js';

/** A key remembered while it was imported, to be read back afterwards. */
export interface SampledKey {
  readonly key: Buffer;
  /** Canonical digest of the value on the source (digest.ts). */
  readonly digest: string;
  readonly ttlMs: number;
  /** When it was read from the source (its TTL counts down from then). */
  readonly readAt: number;
}

export interface VerifyInput {
  readonly clusterKeysBefore: number;
  readonly clusterKeysAfter: number;
  readonly restored: number;
  readonly exact: boolean;
  readonly sample: readonly SampledKey[];
}

/** Mismatches named in the report; the count says how many there were in all. */
const MAX_NAMED = 20;

/**
 * Check the run's own figures against the cluster: its key count grew by the keys restored, and a
 * sample of the imported keys reads back (canonical digest and PTTL on the owner) as they were read
 * from the source. The sample is compared with what was read then, not with the source now, so it
 * also works in move mode, where the source no longer has them.
 */
export async function verifyImport(prep: PreparedImport, input: VerifyInput): Promise<VerifyReport> {
  const mismatches: { key: string; problem: string }[] = [];
  const growth = checkGrowth(input.clusterKeysBefore, input.clusterKeysAfter, input.restored, input.exact);
  if (growth) mismatches.push({ key: '*', problem: growth });
  let bad = 0;
  await Promise.all(
    [...routeKeys(input.sample, prep.slotOwners)].map(async ([owner, keys]) => {
      const p = prep.targets.get(owner)!.client.pipeline() as DigestPipeline;
      for (const k of keys) p.digestKeys(1, k.key).pttl(k.key);
      const replies = (await p.exec()) ?? [];
      const now = Date.now();
      keys.forEach((k, i) => {
        const [digestError, digest] = replies[i * 2] ?? [];
        const [, pttl] = replies[i * 2 + 1] ?? [];
        if (digestError) throw digestError;
        const problem = compareSample({
          digest: k.digest,
          ttlMs: k.ttlMs,
          actualDigest: (digest as (string | null)[])[0] ?? null,
          actualTtlMs: Number(pttl),
          elapsedMs: now - k.readAt,
        });
        if (problem && bad++ < MAX_NAMED) mismatches.push({ key: k.key.toString(), problem });
      });
    }),
  );
  return {
    ok: !growth && bad === 0,
    clusterKeysBefore: input.clusterKeysBefore,
    clusterKeysAfter: input.clusterKeysAfter,
    expectedGrowth: input.restored,
    exact: input.exact,
    sampled: input.sample.length,
    mismatches,
  };
}
