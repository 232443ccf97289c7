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

  constructor(maxBlockMs: number, fixed: number | null) {
    if (!(maxBlockMs > 0)) throw new TypeError(`Expected \`maxBlockMs\` to be a number > 0, got ${maxBlockMs}`);
    if (fixed !== null && !(Number.isInteger(fixed) && fixed >= 1)) throw new TypeError(`Expected \`batch\` to be a whole number >= 1, got ${fixed}`);
    this.#maxBlockMs = maxBlockMs;
    this.#fixed = fixed;
  }

  next(source: string): number {
    if (this.#fixed !== null) return this.#fixed;
    const cost = this.#msPerKey.get(source);
    if (cost === undefined) return BatchSizer.FIRST;
    return Math.max(BatchSizer.MIN, Math.min(BatchSizer.MAX, Math.floor(this.#maxBlockMs / cost)));
  }

  record(source: string, keys: number, ms: number): void {
    if (keys <= 0) return;
    const sample = Math.max(ms, 0.05) / keys;
    const old = this.#msPerKey.get(source);
    this.#msPerKey.set(source, old === undefined ? sample : old * 0.7 + sample * 0.3);
  }
}
