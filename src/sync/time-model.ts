/**
 * The seed's time model for replication (DESIGN.md, "Migration between deployments"): a full sync
 * costs T_save (the source forks and dumps until the transfer starts) + T_transfer + T_load, each
 * change of the stream T_request (source → slotpilot) + T_execute (slotpilot → acknowledged by the
 * cluster). Estimated before the run from the source's INFO and measured throughput, measured
 * during it. Pure.
 */
import { BYTES_PER_SEC, KEYS_PER_SEC } from '../import/estimate-rdb.js';

/** How fast a fork-and-dump writes, when the source never saved (a redis-server on loopback). */
export const SAVE_BYTES_PER_SEC = 150e6;
/** RDB bytes per byte of used memory, for sources that have never saved. */
export const RDB_PER_USED_MEMORY = 0.3;

export interface SourceFigures {
  readonly keys: number;
  readonly usedMemory: number;
  /** `rdb_last_bgsave_time_sec`: -1 when it never saved in the background. */
  readonly lastBgsaveSec: number;
}

export interface SyncEstimate {
  readonly saveSec: number;
  /** Transfer and load overlap (the snapshot is written as it arrives): one figure. */
  readonly transferLoadSec: number;
  readonly totalSec: number;
}

export function estimateFullSync(s: SourceFigures): SyncEstimate {
  const rdbBytes = s.usedMemory * RDB_PER_USED_MEMORY;
  const saveSec = s.lastBgsaveSec >= 0 ? s.lastBgsaveSec : rdbBytes / SAVE_BYTES_PER_SEC;
  const transferLoadSec = Math.max(s.keys / KEYS_PER_SEC, rdbBytes / BYTES_PER_SEC);
  return { saveSec, transferLoadSec, totalSec: saveSec + transferLoadSec };
}

/** Moments of one source's full sync (ms); null until reached. */
export interface FullSyncClock {
  readonly psyncAt: number;
  /** The snapshot's first byte arrived (its `$` header). */
  readonly transferAt: number | null;
  /** Its last byte arrived. */
  readonly receivedAt: number | null;
  /** Every key of it acknowledged by the cluster. */
  readonly loadedAt: number | null;
  /** The stream buffered meanwhile applied: streaming from here. */
  readonly caughtUpAt: number | null;
}

export interface FullSyncTimes {
  readonly saveSec: number | null;
  readonly transferSec: number | null;
  /** Loading left after the last byte arrived (loading runs during the transfer too). */
  readonly loadSec: number | null;
  /** Applying the stream buffered during the full sync. */
  readonly replaySec: number | null;
}

const span = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.max(0, b - a) / 1000);

export function fullSyncTimes(c: FullSyncClock): FullSyncTimes {
  return { saveSec: span(c.psyncAt, c.transferAt), transferSec: span(c.transferAt, c.receivedAt), loadSec: span(c.receivedAt, c.loadedAt), replaySec: span(c.loadedAt, c.caughtUpAt) };
}

/**
 * Latencies in a log-scale histogram (10 buckets per decade from 0.01 ms to 100 s): percentiles
 * within 12% at constant memory, for syncs that run for days.
 */
export class LatencyHistogram {
  /** Counts per bucket: bucket i holds values up to 0.01 ms × 10^(i/10). */
  readonly #counts = new Array<number>(71).fill(0);
  count = 0;
  max = 0;

  add(ms: number): void {
    const i = ms <= 0.01 ? 0 : Math.min(70, Math.ceil(Math.log10(ms / 0.01) * 10));
    this.#counts[i]!++;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  /** The value at quantile q (0..1): the upper bound of its bucket, capped at the largest seen. */
  quantile(q: number): number | null {
    if (!this.count) return null;
    let seen = 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    for (let i = 0; i < this.#counts.length; i++) {
      seen += this.#counts[i]!;
      if (seen >= rank) return Math.min(this.max, 0.01 * 10 ** (i / 10));
    }
    return this.max;
  }
}
