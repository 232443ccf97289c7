/**
 * At the gentle pace a target takes slots from at most `seats` sources at a time. Which ones: the
 * sources with the most slots still to give it, swapped as they go, so all of a target's sources
 * finish together. Without the swap the first two sources kept their seats until their last slot
 * and the third one waited, then moved alone: in the 12 + 4 bench under load, 4 of the 12 sources
 * idled for 11 s and then worked 7 s alone, a third of the run.
 *
 * A waiting source takes the seat of the seated one with the least left once it has twice as many
 * left (and at least SEAT_MIN_LEAD more): three equal sources then swap twice in the bulk of the
 * run and a few times near its end, not every few dozen slots. Each swap costs the target a round or
 * two on that seat (the leaving source's open slots finish and close first; the next source's first
 * slot opens then); a fixed lead of 32 slots swapped ~30 times per target in the 12 + 4 bench, and
 * in a model of it took 1,521 steps where twice-as-many took 1,505 (1,500 at best, 2,000 never).
 * Pure: pending counts come in, seats go out.
 */

/** Slots a waiting source must have beyond a seated one, at least, before it takes that seat. */
export const SEAT_MIN_LEAD = 16;

/** One source's slots still to open towards one target. */
export interface LanePending {
  readonly from: string;
  readonly to: string;
  readonly pending: number;
}

export class SourceSeats {
  readonly #seats: number;
  readonly #minLead: number;
  /** Seated sources per target. */
  readonly #seated = new Map<string, Set<string>>();

  constructor(seats: number, minLead = SEAT_MIN_LEAD) {
    this.#seats = seats;
    this.#minLead = minLead;
  }

  /** Recompute every target's seats from the lanes' pending counts (call before opening slots). */
  update(lanes: readonly LanePending[]): void {
    const byTarget = new Map<string, LanePending[]>();
    for (const l of lanes) {
      if (l.pending <= 0) continue;
      const list = byTarget.get(l.to);
      if (list) list.push(l);
      else byTarget.set(l.to, [l]);
    }
    for (const to of this.#seated.keys()) if (!byTarget.has(to)) this.#seated.delete(to);
    for (const [to, list] of byTarget) this.#seatTarget(to, list);
  }

  /** Whether `from` may open slots towards `to` now. */
  has(from: string, to: string): boolean {
    return this.#seated.get(to)?.has(from) ?? false;
  }

  #seatTarget(to: string, lanes: readonly LanePending[]): void {
    const pending = new Map<string, number>();
    for (const l of lanes) pending.set(l.from, (pending.get(l.from) ?? 0) + l.pending);
    let seated = this.#seated.get(to);
    if (!seated) this.#seated.set(to, (seated = new Set()));
    for (const from of seated) if (!pending.has(from)) seated.delete(from);
    // Waiting sources, most to give first (ties: the order the lanes came in, the plan's).
    const waiting = [...pending.keys()].filter((from) => !seated.has(from)).sort((a, b) => pending.get(b)! - pending.get(a)!);
    while (seated.size < this.#seats && waiting.length) seated.add(waiting.shift()!);
    const next = waiting[0];
    if (next === undefined) return;
    const least = [...seated].reduce((a, b) => (pending.get(b)! < pending.get(a)! ? b : a));
    const lead = pending.get(next)! - pending.get(least)!;
    if (lead > Math.max(this.#minLead, pending.get(least)!)) {
      seated.delete(least);
      seated.add(next);
    }
  }
}
