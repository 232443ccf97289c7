/** Pure verification rules for an import; the I/O that gathers the figures is in verify-import.ts. */

/**
 * Whether the cluster's key count grew as the run says. Without --replace every restore created a
 * key, so growth must equal them exactly; with --replace a restore may overwrite, so it is bounded.
 * Another writer, or keys expiring meanwhile, also shows up here: verify on a quiet cluster.
 */
export function checkGrowth(before: number, after: number, restoredNew: number, exact: boolean): string | null {
  const growth = after - before;
  if (exact && growth !== restoredNew) return `cluster key count grew by ${growth}, expected ${restoredNew}`;
  if (!exact && (growth > restoredNew || growth < 0)) return `cluster key count grew by ${growth}, expected 0..${restoredNew}`;
  return null;
}

/** A sampled key as read from the source, and as read back from its owner in the cluster. */
export interface SampleCheck {
  /** Canonical value digest on the source when it was read (digest.ts). */
  readonly digest: string;
  readonly ttlMs: number;
  /** The same digest on the owner (null: missing). */
  readonly actualDigest: string | null;
  /** `PTTL` on the owner. */
  readonly actualTtlMs: number;
  /** Milliseconds between reading the key from the source and reading it back. */
  readonly elapsedMs: number;
}

/** TTLs may differ by the time the key spent in flight, plus this much slack (the issue allows ±1 s). */
export const TTL_TOLERANCE_MS = 1000;

/** The problem with one sampled key, or null when it holds the value and TTL that were read. */
export function compareSample(s: SampleCheck): string | null {
  if (s.actualDigest === null) return 'missing in the cluster';
  if (s.actualDigest !== s.digest) return 'value differs from the source';
  if (s.ttlMs === 0) return s.actualTtlMs === -1 ? null : `has TTL ${s.actualTtlMs} ms, the source had none`;
  if (s.actualTtlMs < 0) return `has no TTL, the source had ${s.ttlMs} ms`;
  const expected = s.ttlMs - s.elapsedMs;
  if (s.actualTtlMs < expected - TTL_TOLERANCE_MS || s.actualTtlMs > s.ttlMs + TTL_TOLERANCE_MS) return `TTL ${s.actualTtlMs} ms, expected about ${Math.max(0, expected)} ms`;
  return null;
}
