/**
 * How many keys the next MIGRATE of a source carries, so that one MIGRATE blocks the source for at
 * most `maxBlockMs` (MIGRATE holds the source's only thread while the target restores each key).
 *
 * A MIGRATE costs a part per call and a part per key: the source waits for the target's reply, and on
 * a busy host that wait (the target being scheduled) was about half a millisecond whatever the batch
 * size — 0.56–0.59 ms per call for 31 and for 47 keys on the bench. A cost per key alone took that
 * wait for a cost of the keys, cut slots of 60 keys into two MIGRATEs, paid the wait twice and,
 * measured again, cut smaller still. So the cost is `a + b × keys` per source, fitted on the
 * server's own figures (see fitCost); until batches of different sizes were measured, `b` is a fifth
 * of the cautious first guess (~2 µs for the bench's keys, as the target's restore-asking and the
 * source's serialisation measure). A batch is what fits in the budget after `a`, and grows at most to
 * twice the batches measured (which also gives the fit different sizes to learn from); a call measured
 * over budget shrinks the next batches in proportion, unless the fit says the wait takes most of it.
 */
export class BatchSizer {
  /** Per source: keys per call and ms per call measured on the server, averaged (EWMA). */
  readonly #measured = new Map<string, { keys: number; ms: number }>();
  /** Per source: the batch last given, which an over-budget wait holds (see next). */
  readonly #last = new Map<string, number>();
  /** `--batch` given: no adapting. */
  readonly #fixed: number | null;
  readonly #maxBlockMs: number;

  static readonly MIN = 10;
  static readonly MAX = 5000;

  /**
   * A cautious guess of MIGRATE's cost per key before any was timed: 10 µs a key plus 100 MB/s for
   * the data. The plan's bytes include Redis' overhead per key, so the guess errs on the small side.
   */
  static guessMsPerKey(bytesPerKey: number): number {
    return 0.01 + bytesPerKey / 100_000;
  }

  /** What a key itself costs (ms), without the wait per call: a fifth of the first guess. */
  static keyMs(bytesPerKey: number | undefined): number {
    return BatchSizer.guessMsPerKey(bytesPerKey ?? 100) / 5;
  }

  constructor(maxBlockMs: number, fixed: number | null) {
    if (!(maxBlockMs > 0)) throw new TypeError(`Expected \`maxBlockMs\` to be a number > 0, got ${maxBlockMs}`);
    if (fixed !== null && !(Number.isInteger(fixed) && fixed >= 1)) throw new TypeError(`Expected \`batch\` to be a whole number >= 1, got ${fixed}`);
    this.#maxBlockMs = maxBlockMs;
    this.#fixed = fixed;
  }

  /** Keys for the next MIGRATE from `source`; `bytesPerKey` is the plan's estimate for its slot. */
  next(source: string, bytesPerKey?: number): number {
    if (this.#fixed !== null) return this.#fixed;
    const n = this.#size(source, bytesPerKey);
    this.#last.set(source, n);
    return n;
  }

  #size(source: string, bytesPerKey?: number): number {
    const m = this.#measured.get(source) ?? this.#dearest(bytesPerKey);
    if (!m) return clamp(this.#maxBlockMs / BatchSizer.guessMsPerKey(bytesPerKey ?? 100));
    const budget = this.#maxBlockMs;
    const b = BatchSizer.keyMs(bytesPerKey);
    const a = m.ms - b * m.keys;
    if (m.ms > budget) {
      // Over budget. Mostly the wait (a slow target, a crowded host): smaller batches would only pay
      // it more often (16 masters on 2 cores: batches shrank to 18 keys, 7 MIGRATEs a slot, each as
      // long as one of 125), so the batch holds, growing no more. Mostly the keys: shrink in proportion.
      if (a > budget / 2) return this.#last.get(source) ?? clamp(m.keys);
      return clamp((m.keys * budget) / m.ms);
    }
    return clamp(Math.min(2 * m.keys, (budget - a) / b));
  }

  /**
   * A source not measured yet starts from the dearest measured one (same cluster, same kind of
   * data): starting every new source small made the slots of its first opening round take two
   * MIGRATEs each, ~1,400 extra MIGRATEs per bench run when sources take turns.
   */
  #dearest(bytesPerKey?: number): { keys: number; ms: number } | undefined {
    const b = BatchSizer.keyMs(bytesPerKey);
    let worst: { keys: number; ms: number } | undefined;
    for (const m of this.#measured.values()) if (!worst || m.ms - b * m.keys > worst.ms - b * worst.keys) worst = m;
    return worst;
  }

  /** Server-side time `calls` MIGRATEs of `keys` keys in all spent (INFO commandstats deltas): the real blocking. */
  recordServer(source: string, calls: number, keys: number, ms: number): void {
    if (calls <= 0 || keys <= 0) return;
    const sample = { keys: keys / calls, ms: ms / calls };
    const old = this.#measured.get(source);
    this.#measured.set(source, old ? { keys: old.keys * 0.7 + sample.keys * 0.3, ms: old.ms * 0.7 + sample.ms * 0.3 } : sample);
  }
}

const clamp = (n: number): number => Math.max(BatchSizer.MIN, Math.min(BatchSizer.MAX, Math.floor(n)));

/**
 * Feeds a BatchSizer with each source's server-side MIGRATE cost: every `everyMs`, an
 * `INFO commandstats` goes out right behind a MIGRATE on the same connection, and the calls, usec and
 * keys between two samples give the source's cost per call and per key. Client-side timing grows with
 * this process's own delays (two cores shared with the Redis nodes), which shrank batches for nothing.
 */
export class ServerCostSampler {
  /** Keys sent per source since the start (counted in the order the server sees them). */
  readonly #sent = new Map<string, number>();
  /** Last sample per source: cumulative calls and usec, and keys sent before it. */
  readonly #last = new Map<string, { calls: number; usec: number; keys: number }>();
  readonly #due = new Map<string, number>();
  readonly #sizer: BatchSizer;
  readonly #stats: (source: string) => Promise<{ calls: number; usec: number } | null>;
  readonly #everyMs: number;

  constructor(sizer: BatchSizer, stats: (source: string) => Promise<{ calls: number; usec: number } | null>, everyMs = 200) {
    this.#sizer = sizer;
    this.#stats = stats;
    this.#everyMs = everyMs;
  }

  /** Call right after sending a MIGRATE of `keys` keys from `source` (same tick, same connection). */
  sent(source: string, keys: number): void {
    const total = (this.#sent.get(source) ?? 0) + keys;
    this.#sent.set(source, total);
    const now = Date.now();
    if ((this.#due.get(source) ?? 0) > now) return;
    this.#due.set(source, now + this.#everyMs);
    void this.#stats(source)
      .then((s) => {
        if (!s) return;
        const last = this.#last.get(source);
        this.#last.set(source, { calls: s.calls, usec: s.usec, keys: total });
        if (last && total > last.keys && s.usec >= last.usec && s.calls > last.calls) this.#sizer.recordServer(source, s.calls - last.calls, total - last.keys, (s.usec - last.usec) / 1000);
      })
      .catch(() => {});
  }
}
