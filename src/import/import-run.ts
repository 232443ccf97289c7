import type { ImportEvent, ImportHandle, ImportSummary, VerifyReport } from './types.js';

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
      subscribe: (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
      interrupt: () => this.stop('signal', interruptMessage),
      done,
    };
  }
}
