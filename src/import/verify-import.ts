import { checkGrowth, compareSample } from './check-import.js';
import type { DigestPipeline, ImportTarget, ImportTargets } from './preflight.js';
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

/** A key as read back from its owner: canonical digest (null: missing) and PTTL. */
export interface ReadBack {
  readonly digest: string | null;
  readonly pttl: number;
}

/** Reads keys back from one target; by default the digest script (digest.ts) and PTTL, pipelined. */
export type ReadBackKeys = (target: ImportTarget, keys: readonly Buffer[]) => Promise<ReadBack[]>;

const readBackByScript: ReadBackKeys = async (target, keys) => {
  const p = target.client.pipeline() as DigestPipeline;
  for (const k of keys) p.digestKeys(1, k).pttl(k);
  const replies = (await p.exec()) ?? [];
  return keys.map((_, i) => {
    const [digestError, digest] = replies[i * 2] ?? [];
    const [, pttl] = replies[i * 2 + 1] ?? [];
    if (digestError) throw digestError;
    return { digest: (digest as (string | null)[])[0] ?? null, pttl: Number(pttl) };
  });
};

export interface VerifyInput {
  readonly clusterKeysBefore: number;
  readonly clusterKeysAfter: number;
  readonly restored: number;
  readonly exact: boolean;
  readonly sample: readonly SampledKey[];
  /** Per master `host:port`: DBSIZE before and after, keys the run restored as new there. */
  readonly perMaster?: readonly { readonly addr: string; readonly before: number; readonly after: number; readonly restored: number }[];
}

/** Mismatches named in the report; the count says how many there were in all. */
const MAX_NAMED = 20;

/**
 * Check the run's own figures against the cluster: its key count grew by the keys restored, and a
 * sample of the imported keys reads back (canonical digest and PTTL on the owner) as they were read
 * from the source. The sample is compared with what was read then, not with the source now, so it
 * also works in move mode, where the source no longer has them.
 */
export async function verifyImport(prep: Pick<ImportTargets, 'slotOwners' | 'targets'>, input: VerifyInput, readBack: ReadBackKeys = readBackByScript): Promise<VerifyReport> {
  const mismatches: { key: string; problem: string }[] = [];
  const growth = checkGrowth(input.clusterKeysBefore, input.clusterKeysAfter, input.restored, input.exact);
  if (growth) mismatches.push({ key: '*', problem: growth });
  let bad = 0;
  for (const m of input.perMaster ?? []) {
    const problem = checkGrowth(m.before, m.after, m.restored, input.exact);
    if (problem) mismatches.push({ key: '*', problem: `${m.addr}: ${problem}` });
  }
  const countsOk = mismatches.length === 0;
  await Promise.all(
    [...routeKeys(input.sample, prep.slotOwners)].map(async ([owner, keys]) => {
      const read = await readBack(prep.targets.get(owner)!, keys.map((k) => k.key));
      const now = Date.now();
      keys.forEach((k, i) => {
        const problem = compareSample({
          digest: k.digest,
          ttlMs: k.ttlMs,
          actualDigest: read[i]!.digest,
          actualTtlMs: read[i]!.pttl,
          elapsedMs: now - k.readAt,
        });
        if (problem && bad++ < MAX_NAMED) mismatches.push({ key: k.key.toString(), problem });
      });
    }),
  );
  return {
    ok: countsOk && bad === 0,
    clusterKeysBefore: input.clusterKeysBefore,
    clusterKeysAfter: input.clusterKeysAfter,
    expectedGrowth: input.restored,
    exact: input.exact,
    sampled: input.sample.length,
    mismatches,
  };
}
