/**
 * How many slots a source may have open beyond its running key loops, so slots open just in time: a
 * slot opens in one round (its target's IMPORTING, then its source's MIGRATING with the first
 * GETKEYSINSLOT) while the slots before it move, and closes in a later one (target NODE, then the
 * source's) while the next ones move, and the source's MIGRATE stream never waits. Fewer open slots
 * means less exposure (slot-seconds clients pay in ASK and TRYAGAIN); too few and the source idles
 * between slots. Sized from what the run measures: ahead = (a round + the time from a slot's last key
 * to its close) / time per slot, plus one, where a source's time per slot is its key-loop time over
 * the loops it runs at once: with two MIGRATEs queued per source (full pace) each loop also waits for
 * the other's, so a loop takes about two slots' time while the source finishes a slot every one.
 * Pure (times come in).
 */

export const MIN_AHEAD = 1;
export const MAX_AHEAD = 16;
/** Before anything was measured: a slot of keys opening while one moves. */
const FIRST_AHEAD = 2;

const ewma = (old: number | undefined, sample: number): number => (old === undefined ? sample : old * 0.8 + sample * 0.2);

export class OpenAhead {
  /** Milliseconds of one round (see slot-pipeline.ts), averaged: what an opening takes. */
  #roundMs: number | undefined;
  /** Milliseconds of one slot's key loop, averaged per source. */
  readonly #keysMs = new Map<string, number>();
  /** Milliseconds from a slot's last key to its last NODE, averaged. */
  #closeMs = 0;

  recordRound(ms: number): void {
    this.#roundMs = ewma(this.#roundMs, Math.max(0, ms));
  }

  recordClose(ms: number): void {
    this.#closeMs = ewma(this.#closeMs || undefined, Math.max(0, ms));
  }

  recordKeys(source: string, ms: number): void {
    this.#keysMs.set(source, ewma(this.#keysMs.get(source), Math.max(0.01, ms)));
  }

  /** Slots of `source` to have open beyond those whose keys are moving, with `loops` key loops at once. */
  ahead(source: string, loops = 1): number {
    const keys = this.#keysMs.get(source);
    if (this.#roundMs === undefined || keys === undefined) return FIRST_AHEAD;
    const perSlot = keys / Math.max(1, loops);
    return Math.max(MIN_AHEAD, Math.min(MAX_AHEAD, Math.ceil((this.#roundMs + this.#closeMs) / perSlot) + 1));
  }
}
