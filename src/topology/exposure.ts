/**
 * Open-slot exposure: while a slot is open (MIGRATING on its source or IMPORTING on its target), every
 * client command on a moved or new key of it pays an ASK round trip, and a multi-key command whose keys
 * are split gets TRYAGAIN. Exposure is measured in slot-seconds (the number of open slots integrated
 * over time), with the most slots open at once and the closing bursts (each makes clients that touch
 * one of its slots reload their slot map).
 *
 * One pure tracker serves both views: the executor feeds it its own opens and closes, and the bench's
 * sampler (scripts/lib/exposure-sampler.ts) feeds it the differences between successive readings of
 * every master's CLUSTER NODES, so every tool is measured the same way from outside.
 */

export interface ExposureStats {
  /** Open slots integrated over time, in slot-seconds. */
  readonly slotSeconds: number;
  /** Most slots open at the same moment. */
  readonly maxOpen: number;
  /** Times one or more slots closed together (one closing burst). */
  readonly closingBursts: number;
  /** Slots that were opened (and closed or still open) while tracked. */
  readonly slotsOpened: number;
}

export class ExposureTracker {
  /** When each open slot opened (ms). */
  readonly #openSince = new Map<number, number>();
  /** Slot-milliseconds of slots already closed. */
  #closedMs = 0;
  #maxOpen = 0;
  #bursts = 0;
  #opened = 0;

  /** `slot` is open from `t` (ms); opening an open slot again changes nothing. */
  open(slot: number, t: number): void {
    if (this.#openSince.has(slot)) return;
    this.#openSince.set(slot, t);
    this.#opened++;
    this.#maxOpen = Math.max(this.#maxOpen, this.#openSince.size);
  }

  /** These slots closed together at `t` (ms): one closing burst, if any of them was open. */
  close(slots: Iterable<number>, t: number): void {
    let closed = 0;
    for (const slot of slots) {
      const since = this.#openSince.get(slot);
      if (since === undefined) continue;
      this.#openSince.delete(slot);
      this.#closedMs += Math.max(0, t - since);
      closed++;
    }
    if (closed) this.#bursts++;
  }

  /** Slots open now. */
  get openNow(): number {
    return this.#openSince.size;
  }

  /** The figures so far; slots still open count up to `now` (ms). */
  stats(now: number): ExposureStats {
    let openMs = this.#closedMs;
    for (const since of this.#openSince.values()) openMs += Math.max(0, now - since);
    return { slotSeconds: openMs / 1000, maxOpen: this.#maxOpen, closingBursts: this.#bursts, slotsOpened: this.#opened };
  }
}

/**
 * Folds successive readings of the whole cluster's open slots into a tracker: a slot seen open for the
 * first time opened at that reading, one no longer seen closed at it. Readings every 10–20 ms bound the
 * error of each open or close to one interval.
 */
export class ExposureMeter {
  readonly #tracker = new ExposureTracker();
  #last: ReadonlySet<number> = new Set();

  /** One reading at `t` (ms): the slots any master reports open. */
  observe(open: ReadonlySet<number>, t: number): void {
    for (const slot of open) this.#tracker.open(slot, t);
    const closed: number[] = [];
    for (const slot of this.#last) if (!open.has(slot)) closed.push(slot);
    this.#tracker.close(closed, t);
    this.#last = open;
  }

  stats(now: number): ExposureStats {
    return this.#tracker.stats(now);
  }
}
