/**
 * How many keys the next MIGRATE of a source carries, so that one MIGRATE blocks the source for at
 * most `maxBlockMs` (MIGRATE holds the source's only thread while the target restores each key).
 * It learns the cost per key of each source from the batches it times, and starts small.
 */
export class BatchSizer {
  /** Measured ms per key per source (exponentially weighted); absent until the first batch. */
  readonly #msPerKey = new Map<string, number>();
  /** `--batch` given: no adapting. */
  readonly #fixed: number | null;
  readonly #maxBlockMs: number;

  static readonly MIN = 10;
  static readonly MAX = 5000;
  static readonly FIRST = 50;

  /**
   * A cautious guess of MIGRATE's cost per key before any was timed: 10 µs a key (the bench's
   * 100-byte keys measured 6–8 µs on the server) plus 100 MB/s for the data. The plan's bytes
   * include Redis' overhead per key, so the guess errs on the small side.
   */
  static guessMsPerKey(bytesPerKey: number): number {
    return 0.01 + bytesPerKey / 100_000;
  }

  constructor(maxBlockMs: number, fixed: number | null) {
    if (!(maxBlockMs > 0)) throw new TypeError(`Expected \`maxBlockMs\` to be a number > 0, got ${maxBlockMs}`);
    if (fixed !== null && !(Number.isInteger(fixed) && fixed >= 1)) throw new TypeError(`Expected \`batch\` to be a whole number >= 1, got ${fixed}`);
    this.#maxBlockMs = maxBlockMs;
    this.#fixed = fixed;
  }

  /** Keys for the next MIGRATE from `source`; `bytesPerKey` (the plan's estimate) helps before anything was timed. */
  next(source: string, bytesPerKey?: number): number {
    if (this.#fixed !== null) return this.#fixed;
    const cost = this.#msPerKey.get(source) ?? this.#othersCost() ?? (bytesPerKey ? BatchSizer.guessMsPerKey(bytesPerKey) : undefined);
    if (cost === undefined) return BatchSizer.FIRST;
    return Math.max(BatchSizer.MIN, Math.min(BatchSizer.MAX, Math.floor(this.#maxBlockMs / cost)));
  }

  /**
   * A source not measured yet starts from the dearest measured one (same cluster, same kind of
   * data): starting every new source at FIRST made the slots of its first opening burst (up to
   * --concurrency of them, their first batch fetched at opening) take two MIGRATEs each, ~1,400
   * extra MIGRATEs per bench run when sources take turns.
   */
  #othersCost(): number | undefined {
    let worst: number | undefined;
    for (const [source, cost] of this.#msPerKey) if (this.#serverTimed.has(source) && (worst === undefined || cost > worst)) worst = cost;
    return worst;
  }

  /**
   * A batch timed by the client: an upper bound of the source's blocking (it includes the round
   * trip and any delay of this process), used only until the server's own figures arrive.
   */
  record(source: string, keys: number, ms: number): void {
    if (keys <= 0 || this.#serverTimed.has(source)) return;
    this.#update(source, keys, ms);
  }

  /** Server-side time MIGRATE spent on `keys` keys (INFO commandstats deltas): the real blocking. */
  recordServer(source: string, keys: number, ms: number): void {
    if (keys <= 0) return;
    // The first server figure replaces the client-side estimate rather than blending with it.
    if (!this.#serverTimed.has(source)) this.#msPerKey.delete(source);
    this.#serverTimed.add(source);
    this.#update(source, keys, ms);
  }

  /** Sources measured on the server; client timings no longer count for them. */
  readonly #serverTimed = new Set<string>();

  #update(source: string, keys: number, ms: number): void {
    const sample = Math.max(ms, 0.05) / keys;
    const old = this.#msPerKey.get(source);
    this.#msPerKey.set(source, old === undefined ? sample : old * 0.7 + sample * 0.3);
  }
}

/**
 * Feeds a BatchSizer with each source's server-side MIGRATE cost: every `everyMs`, an
 * `INFO commandstats` goes out right behind a MIGRATE on the same connection, and the usec and keys
 * between two samples give the source's microseconds per key. Client-side timing grows with this
 * process's own delays (two cores shared with the Redis nodes), which shrank batches for nothing.
 */
export class ServerCostSampler {
  /** Keys sent per source since the start (counted in the order the server sees them). */
  readonly #sent = new Map<string, number>();
  /** Last sample per source: cumulative usec and keys sent before it. */
  readonly #last = new Map<string, { usec: number; keys: number }>();
  readonly #due = new Map<string, number>();
  readonly #sizer: BatchSizer;
  readonly #stats: (source: string) => Promise<{ usec: number } | null>;
  readonly #everyMs: number;

  constructor(sizer: BatchSizer, stats: (source: string) => Promise<{ usec: number } | null>, everyMs = 200) {
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
        this.#last.set(source, { usec: s.usec, keys: total });
        if (last && total > last.keys && s.usec >= last.usec) this.#sizer.recordServer(source, total - last.keys, (s.usec - last.usec) / 1000);
      })
      .catch(() => {});
  }
}
