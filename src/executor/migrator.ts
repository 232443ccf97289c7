/**
 * One MIGRATE at a time per source, shared by every slot moving out of it. MIGRATE holds the
 * source's only thread, so running them one after another keeps live clients' latency bounded;
 * and since MIGRATE accepts keys of any slot, the key batches of many small slots bound for the same
 * target travel together in one command instead of one round trip (and event-loop turn) each.
 */
export interface MigrateRequest {
  readonly to: string;
  readonly keys: readonly string[];
  /** Retry this request alone (used when a combined MIGRATE failed, to find whose key it was). */
  readonly alone: () => Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

export type MigrateFn = (from: string, to: string, keys: readonly string[]) => Promise<void>;

export class Migrator {
  /** Requests waiting per source, oldest first. */
  readonly #queues = new Map<string, MigrateRequest[]>();
  /** Sources with a MIGRATE in flight. */
  readonly #busy = new Set<string>();
  readonly #migrate: MigrateFn;
  readonly #limit: (from: string) => number;
  readonly #timed: (from: string, keys: number, ms: number) => void;

  constructor(migrate: MigrateFn, limit: (from: string) => number, timed: (from: string, keys: number, ms: number) => void) {
    this.#migrate = migrate;
    this.#limit = limit;
    this.#timed = timed;
  }

  /** Move `keys` from `from` to `to`; resolves once they are on the target. */
  migrate(from: string, to: string, keys: readonly string[], alone: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const q = this.#queues.get(from) ?? [];
      q.push({ to, keys, alone, resolve, reject });
      this.#queues.set(from, q);
      void this.#pump(from);
    });
  }

  /** Take the oldest request and every later one for the same target that fits in one batch. */
  #takeGroup(from: string): MigrateRequest[] {
    const q = this.#queues.get(from)!;
    const first = q[0]!;
    const limit = this.#limit(from);
    const group: MigrateRequest[] = [];
    let size = 0;
    for (let i = 0; i < q.length; ) {
      const r = q[i]!;
      if (r.to === first.to && (group.length === 0 || size + r.keys.length <= limit)) {
        group.push(r);
        size += r.keys.length;
        q.splice(i, 1);
      } else i++;
    }
    return group;
  }

  async #pump(from: string): Promise<void> {
    if (this.#busy.has(from)) return;
    this.#busy.add(from);
    try {
      while (this.#queues.get(from)?.length) {
        const group = this.#takeGroup(from);
        const keys = group.flatMap((r) => r.keys);
        const started = performance.now();
        try {
          await this.#migrate(from, group[0]!.to, keys);
          this.#timed(from, keys.length, performance.now() - started);
          for (const r of group) r.resolve();
        } catch (error) {
          if (group.length === 1) group[0]!.reject(error);
          // Someone's key failed: each request alone tells whose, the others still go through.
          else for (const r of group) await r.alone().then(r.resolve, r.reject);
        }
      }
    } finally {
      this.#busy.delete(from);
    }
  }
}
