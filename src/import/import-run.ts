import type { ImportTarget } from './preflight.js';
import { quoteKey } from '../redis/key-name.js';
import type { ImportEvent, ImportHandle, ImportSummary, VerifyReport } from './types.js';
import type { SampledKey } from './verify-import.js';
import type { GroupResult } from './write-group.js';

type StopReason = NonNullable<ImportSummary['stoppedBy']>;

/**
 * What every import run (from a live source, from an RDB file) keeps besides its work: who listens
 * to its events, why it stopped taking keys (the first reason wins), whether it failed, and the
 * handle its caller gets.
 */
export class ImportRun {
  /** Reporters, the journal, the CLI: each gets every event from when it subscribed. */
  readonly #listeners = new Set<(event: ImportEvent) => void>();
  stoppedBy: ImportSummary['stoppedBy'] = null;
  /** A conflict or a failure happened: the run fails even when the batches in flight finish well. */
  failed = false;

  /** Listen to every event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: ImportEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: ImportEvent): void {
    for (const l of this.#listeners) l(event);
  }

  /** Stop taking new keys (batches in flight finish); said once, as a `stopping` event. */
  stop(reason: StopReason, message: string): void {
    if (reason !== 'signal') this.failed = true;
    if (this.stoppedBy) return;
    this.stoppedBy = reason;
    this.emit({ type: 'stopping', t: Date.now(), message });
  }

  /** The handle of a run whose work is `work`, started on the next turn so subscribers see its first event. */
  start(work: () => Promise<ImportSummary & { verify: VerifyReport | null }>, close: () => void, interruptMessage: string): ImportHandle {
    const done = new Promise<void>((r) => setImmediate(r)).then(work).finally(close);
    return {
      subscribe: (listener) => this.subscribe(listener),
      interrupt: () => this.stop('signal', interruptMessage),
      done,
    };
  }
}

/** Conflicts named one by one in events; past this only the count grows (the run stops anyway). */
const MAX_CONFLICT_EVENTS = 20;

/** The totals every import keeps of what its masters answered. */
export interface WriteTotals {
  restored: number;
  alreadyPresent: number;
  conflicts: number;
  /** Keys written per master `host:port`. */
  readonly perMaster: Record<string, number>;
}

/**
 * Count what each master answered for one batch: keys written (and, of those, the ones chosen for
 * verification), already present, conflicts (each named, up to a limit) and failures, which stop
 * the run.
 */
export function tallyWrites(run: ImportRun, totals: WriteTotals, results: readonly (GroupResult & { readonly target: ImportTarget })[], sampled: ReadonlyMap<string, SampledKey>, sample: SampledKey[]): void {
  for (const r of results) {
    totals.restored += r.written.length;
    totals.alreadyPresent += r.present;
    totals.perMaster[r.target.addr] = (totals.perMaster[r.target.addr] ?? 0) + r.written.length;
    for (const key of r.written) {
      const chosen = sampled.get(key.toString('latin1'));
      if (chosen) sample.push(chosen);
    }
    for (const key of r.conflicts) {
      if (totals.conflicts++ < MAX_CONFLICT_EVENTS) run.emit({ type: 'conflict', t: Date.now(), key: key.toString(), master: r.target.addr });
    }
    if (r.conflicts.length) run.stop('conflict', `key ${quoteKey(r.conflicts[0]!)} already exists in the cluster (${r.target.addr}) with a different value; stopping`);
    if (r.failure) {
      run.emit({ type: 'batch-failed', t: Date.now(), master: r.target.addr, reason: r.failure });
      run.stop('failure', r.failure);
    }
  }
}
