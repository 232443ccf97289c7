import type { CapacityAlarm } from '../executor/capacity-watch.js';
import type { FullSyncTimes, SyncEstimate } from './time-model.js';

/** Where one source is. */
export type SourcePhase = 'connecting' | 'full-sync' | 'replay' | 'streaming' | 'reconnecting' | 'stopped';

/** One source's figures, as the `lag` event and the summary carry them. */
export interface SourceStatus {
  readonly source: string;
  readonly phase: SourcePhase;
  readonly replid: string | null;
  readonly masterOffset: number | null;
  readonly receivedOffset: number;
  readonly appliedOffset: number;
  readonly lagBytes: number | null;
  readonly lagSeconds: number;
  /** Snapshot bytes received, and its size when the primary said it (`$<len>`; null when diskless). */
  readonly rdbBytes: number;
  readonly rdbTotal: number | null;
  /** Keys of the snapshot written (or found present). */
  readonly keys: number;
  /** Commands of the stream applied, and not applied (PING, PUBLISH, other databases). */
  readonly commands: number;
  readonly skipped: number;
  /** Transactions whose keys spanned slots, applied command by command. */
  readonly splitTransactions: number;
  /** Stream bytes waiting (memory and spill file), and bytes ever spilled. */
  readonly bufferedBytes: number;
  readonly spilledBytes: number;
  /** T_execute of the stream (received → acknowledged by the cluster), ms. */
  readonly executeP50Ms: number | null;
  readonly executeP99Ms: number | null;
  /** T_request estimate: stream bytes the source had that were not received yet, at the recent rate, ms. */
  readonly requestMs: number | null;
}

export interface SyncSummary {
  /** What ended the run: the lag reached 0 (--exit-when-synced), a cut-over, a signal, a failure, or null. */
  readonly stoppedBy: 'synced' | 'cutover' | 'signal' | 'failure' | 'conflict' | null;
  readonly failed: boolean;
  /** The first failure's one-line reason. */
  readonly reason: string | null;
  readonly sources: readonly (SourceStatus & { readonly times: FullSyncTimes | null })[];
  /** Keys evicted on the targets during the run (lost). */
  readonly evicted: number;
  readonly ms: number;
}

export type SyncEvent =
  | {
      readonly type: 'sync-start';
      readonly t: number;
      readonly seed: string;
      readonly from: string;
      readonly sources: readonly string[];
      readonly db: number;
      readonly match: string | null;
      readonly masters: Readonly<Record<string, string>>;
      readonly journal: string;
      readonly mode: 'run' | 'exit-when-synced' | 'cutover';
      /** Before the run: from the sources' INFO and the measured throughput of the write path. */
      readonly estimate: SyncEstimate & { readonly keys: number; readonly usedMemory: number };
    }
  /** The primary's answer to PSYNC; `reason` says why a resume became a full sync. */
  | { readonly type: 'psync'; readonly t: number; readonly source: string; readonly kind: 'full' | 'continue'; readonly replid: string; readonly offset: number; readonly asked: number | null; readonly reason: string | null }
  | { readonly type: 'full-sync-progress'; readonly t: number; readonly source: string; readonly rdbBytes: number; readonly rdbTotal: number | null; readonly keys: number; readonly expired: number }
  | { readonly type: 'full-sync-done'; readonly t: number; readonly source: string; readonly keys: number; readonly present: number; readonly expired: number; readonly reencoded: number; readonly times: FullSyncTimes }
  /** Once a second per source. */
  | ({ readonly type: 'lag'; readonly t: number } & SourceStatus)
  /** The resume point, written to the journal: everything up to `offset` is in the cluster. */
  | { readonly type: 'checkpoint'; readonly t: number; readonly source: string; readonly replid: string; readonly offset: number; readonly db: number }
  /** Every source's lag reached 0 after its full phase (the first time). */
  | { readonly type: 'synced'; readonly t: number; readonly offsets: Readonly<Record<string, number>> }
  | { readonly type: 'cutover'; readonly t: number; readonly stage: 'waiting' | 'paused' | 'in-sync' | 'unpaused'; readonly offsets: Readonly<Record<string, number>>; readonly pausedMs: number; readonly message: string }
  | { readonly type: 'link-lost'; readonly t: number; readonly source: string; readonly reason: string }
  | { readonly type: 'capacity'; readonly t: number; readonly alarm: CapacityAlarm; readonly message: string }
  | { readonly type: 'conflict'; readonly t: number; readonly key: string; readonly master: string }
  | { readonly type: 'stopping'; readonly t: number; readonly message: string }
  | { readonly type: 'sync-end'; readonly t: number; readonly summary: SyncSummary };

export interface SyncHandle {
  subscribe(listener: (event: SyncEvent) => void): () => void;
  /** Stop: commands in flight are acknowledged, the checkpoint is written, then `done` resolves. */
  interrupt(): void;
  readonly done: Promise<SyncSummary>;
  /** The first error that stopped the run (its class says the exit code), or null. */
  failure(): unknown;
}
