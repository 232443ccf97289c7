/**
 * Lag and cut-over decisions, pure: the run feeds them offsets and clocks, they say where each
 * source stands and what to do next.
 */

/** One source's position at a moment. */
export interface SourcePosition {
  readonly addr: string;
  /** The source's own `master_repl_offset` as last read, or null before the first read. */
  readonly masterOffset: number | null;
  /** Bytes of the stream received (replication offset). */
  readonly receivedOffset: number;
  /** Offset up to which everything is acknowledged by the cluster (the watermark). */
  readonly appliedOffset: number;
  /** When the oldest received, unapplied command arrived (ms), or null. */
  readonly oldestReceivedAt: number | null;
  /** Whether the snapshot and the stream buffered during it are applied (the stream phase). */
  readonly streaming: boolean;
}

export interface Lag {
  /** What the source has that the cluster has not acknowledged; null until the source's offset is known. */
  readonly bytes: number | null;
  /** How long the oldest unapplied command has waited since it arrived. */
  readonly seconds: number;
}

export function lagOf(p: SourcePosition, now: number): Lag {
  return {
    bytes: p.masterOffset === null ? null : Math.max(0, p.masterOffset - p.appliedOffset),
    seconds: p.oldestReceivedAt === null ? 0 : Math.max(0, now - p.oldestReceivedAt) / 1000,
  };
}

/** In sync: streaming, and everything the source had when last read is applied. */
export function isInSync(p: SourcePosition): boolean {
  return p.streaming && p.masterOffset !== null && p.appliedOffset >= p.masterOffset;
}

/** Lag below which the cut-over pauses the source (the rest is applied within the pause). */
export interface CutoverThresholds {
  readonly lagBytes: number;
  readonly lagSeconds: number;
}

export const DEFAULT_CUTOVER_THRESHOLDS: CutoverThresholds = { lagBytes: 1 << 20, lagSeconds: 1 };

export type CutoverStep =
  | { readonly kind: 'wait' }
  /** Every source is close enough: pause their writes now. */
  | { readonly kind: 'pause' }
  /** Paused, and each source's offset at the pause is applied. */
  | { readonly kind: 'in-sync' }
  | { readonly kind: 'timeout'; readonly reason: string };

/**
 * The next step of a cut-over that started at `startedAt`: pause once every source streams with a
 * small lag; once paused (`pausedAt` given with each source's offset then), done when each has
 * applied up to it; past `timeoutMs` in all, give up (the caller unpauses).
 */
export function decideCutover(
  sources: readonly SourcePosition[],
  state: { readonly startedAt: number; readonly pausedAt: ReadonlyMap<string, number> | null },
  now: number,
  timeoutMs: number,
  limits: CutoverThresholds = DEFAULT_CUTOVER_THRESHOLDS,
): CutoverStep {
  if (state.pausedAt) {
    const behind = sources.filter((s) => s.appliedOffset < (state.pausedAt!.get(s.addr) ?? Number.POSITIVE_INFINITY));
    if (!behind.length) return { kind: 'in-sync' };
    if (now - state.startedAt > timeoutMs) {
      const s = behind[0]!;
      return { kind: 'timeout', reason: `${s.addr} applied up to offset ${s.appliedOffset} of ${state.pausedAt.get(s.addr)} while its writes were paused` };
    }
    return { kind: 'wait' };
  }
  const far = sources.filter((s) => {
    const lag = lagOf(s, now);
    return !s.streaming || lag.bytes === null || lag.bytes > limits.lagBytes || lag.seconds > limits.lagSeconds;
  });
  if (!far.length) return { kind: 'pause' };
  if (now - state.startedAt > timeoutMs) {
    const s = far[0]!;
    const lag = lagOf(s, now);
    return { kind: 'timeout', reason: s.streaming ? `${s.addr} still lags ${lag.bytes ?? '?'} bytes / ${lag.seconds.toFixed(1)} s` : `${s.addr} is still in its full sync` };
  }
  return { kind: 'wait' };
}
