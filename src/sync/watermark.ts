/**
 * The applied offset of a stream: the end offset of the last unit (a command, or a whole MULTI …
 * EXEC) such that every unit up to it was acknowledged by the masters it went to. Units to different
 * masters complete out of order; the mark only moves over a prefix that is entirely done, so a
 * resume from it (`PSYNC <replid> <mark+1>`) re-sends nothing that was not applied, and a
 * transaction is never cut. Pure.
 */
export interface Unit {
  /** Replication offset once this unit is processed. */
  readonly offset: number;
  /** The database the stream is in after it (a resume must start there: a partial resync sends no SELECT). */
  readonly db: number;
  /** When its last byte was received (ms), for lag in seconds. */
  readonly receivedAt: number;
  /** Parts still awaiting their master's reply. */
  pending: number;
}

export class Watermark {
  /** Units not yet passed by the mark, oldest first; #head skips the passed ones without shifting. */
  #units: Unit[] = [];
  #head = 0;
  #offset: number;
  #db: number;

  constructor(offset: number, db: number) {
    this.#offset = offset;
    this.#db = db;
  }

  /** Offset and database of the applied prefix. */
  get offset(): number {
    return this.#offset;
  }

  get db(): number {
    return this.#db;
  }

  /** Units received and not yet all applied. */
  get inFlight(): number {
    return this.#units.length - this.#head;
  }

  /** When the oldest unapplied unit was received, or null when everything received is applied. */
  get oldestReceivedAt(): number | null {
    return this.#units[this.#head]?.receivedAt ?? null;
  }

  /** Track a unit sent as `parts` commands (0: nothing to apply, it passes as soon as its turn comes). */
  add(offset: number, db: number, parts: number, receivedAt: number): Unit {
    const unit: Unit = { offset, db, receivedAt, pending: parts };
    this.#units.push(unit);
    if (!parts) this.#advance();
    return unit;
  }

  /** One part of `unit` was acknowledged. Returns whether the mark moved. */
  done(unit: Unit): boolean {
    unit.pending--;
    return unit.pending <= 0 && this.#advance();
  }

  #advance(): boolean {
    const before = this.#offset;
    while (this.#head < this.#units.length && this.#units[this.#head]!.pending <= 0) {
      const u = this.#units[this.#head++]!;
      this.#offset = u.offset;
      this.#db = u.db;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#units.length) {
      this.#units = this.#units.slice(this.#head);
      this.#head = 0;
    }
    return this.#offset !== before;
  }
}
