/**
 * The mixed client workload of the bench and the client-impact tests, the same for every client
 * library: writers of new keys, readers of pre-loaded keys (including keys that move), same-tag
 * MSET/MGET pairs and MULTI/EXEC transactions over existing tagged keys. Every error is counted by
 * kind; every acknowledged write is checked afterwards.
 */
import { sampleKey } from '../sample-keys.js';
import { errorCount, errorKind, tallyError, type ErrorTally } from './error-kinds.js';
import type { ClientName, LoadClient } from './load-client.js';

export interface MixedLoadOptions {
  readonly writers: number;
  readonly readers: number;
  /** Loops of MSET then MGET on one tag. */
  readonly multiKey: number;
  /** Loops of MULTI/INCR/SET/EXEC on one tag. */
  readonly transactions: number;
  /** Pre-loaded string sample keys (sample-keys.ts, `strings` kind) the readers pick from; 0: no readers. */
  readonly readKeys: number;
  readonly valueSize: number;
  /** Names this load's own keys, so several loads never touch each other's. */
  readonly prefix: string;
  /** Tags each multi-key or transaction loop owns (created before the load starts). */
  readonly tagsPerLoop: number;
  /**
   * Operations per second for the whole load (spread evenly over its loops), or 0 for as fast as
   * they go. A fixed rate is what an application does, and it leaves the CPU the load does not use to
   * the cluster and the tool: closed loops in three threads kept both cores of the bench machine busy,
   * which measured the scheduler rather than the tool.
   */
  readonly opsPerSec: number;
}

export interface MixedLoadStats {
  readonly client: ClientName;
  readonly ops: number;
  readonly opsByKind: Readonly<Record<string, number>>;
  readonly errors: ErrorTally;
  readonly errorCount: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Acknowledged writes missing or wrong afterwards. */
  readonly lost: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Deterministic pseudo-random picks (no Math.random: a run can be repeated). */
function picker(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

export class MixedLoad {
  readonly #client: LoadClient;
  readonly #opts: MixedLoadOptions;
  #latencies = new Float64Array(1 << 16);
  #count = 0;
  readonly #byKind: Record<string, number> = {};
  readonly #errors: ErrorTally = {};
  #running = true;
  #loops: Promise<void>[] = [];
  /** Writers' acknowledged keys (value = `v<i>`). */
  readonly #acked: string[] = [];
  /** Per MSET tag: the value both keys must hold, or null when a failed MSET left it unknown. */
  readonly #tagValue = new Map<string, string | null>();
  /** Per transaction tag: increments acknowledged, and attempts whose outcome is unknown. */
  readonly #incr = new Map<string, { acked: number; unsure: number }>();

  constructor(client: LoadClient, opts: MixedLoadOptions) {
    this.#client = client;
    this.#opts = opts;
  }

  /** Create the tagged keys, then start every loop. */
  async start(): Promise<void> {
    const o = this.#opts;
    const tags = (kind: string, loop: number) => Array.from({ length: o.tagsPerLoop }, (_, t) => `${o.prefix}:${kind}${loop}:${t}`);
    for (let l = 0; l < o.multiKey; l++) {
      for (const t of tags('m', l)) {
        await this.#client.mset([[`{${t}}:a`, '0'], [`{${t}}:b`, '0']]);
        this.#tagValue.set(t, '0');
      }
    }
    for (let l = 0; l < o.transactions; l++) {
      for (const t of tags('x', l)) {
        await this.#client.mset([[`{${t}}:n`, '0'], [`{${t}}:last`, '0']]);
        this.#incr.set(t, { acked: 0, unsure: 0 });
      }
    }
    for (let w = 0; w < o.writers; w++) this.#loops.push(this.#writer(w));
    if (o.readKeys > 0) for (let r = 0; r < o.readers; r++) this.#loops.push(this.#reader(r));
    for (let l = 0; l < o.multiKey; l++) this.#loops.push(this.#multiKey(tags('m', l), l));
    for (let l = 0; l < o.transactions; l++) this.#loops.push(this.#transactions(tags('x', l), l));
  }

  #pacers = 0;

  /** Loops started (each paced to its share of `opsPerSec`). */
  get #loopCount(): number {
    const o = this.#opts;
    return o.writers + (o.readKeys > 0 ? o.readers : 0) + o.multiKey + o.transactions;
  }

  /** A loop's pacer: resolves at the loop's next turn (never bunching up to catch up after a stall). */
  #pacer(): () => Promise<void> {
    if (!this.#opts.opsPerSec) return () => Promise.resolve();
    const every = (1000 * this.#loopCount) / this.#opts.opsPerSec;
    // Loops start spread over one interval (golden-ratio offsets), not all in the same millisecond.
    let next = performance.now() + every * ((this.#pacers++ * 0.618) % 1);
    return async () => {
      const wait = next - performance.now();
      next = Math.max(next + every, performance.now());
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    };
  }

  async #timed<T>(kind: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    const t = performance.now();
    try {
      const value = await fn();
      this.#record(kind, performance.now() - t);
      return { ok: true, value };
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      tallyError(this.#errors, `${errorKind(message)}(${kind})`, message);
      return { ok: false };
    }
  }

  #record(kind: string, ms: number): void {
    if (this.#count === this.#latencies.length) {
      const bigger = new Float64Array(this.#latencies.length * 2);
      bigger.set(this.#latencies);
      this.#latencies = bigger;
    }
    this.#latencies[this.#count++] = ms;
    this.#byKind[kind] = (this.#byKind[kind] ?? 0) + 1;
  }

  #bad(kind: string, message: string): void {
    tallyError(this.#errors, kind, message);
  }

  async #writer(w: number): Promise<void> {
    const pace = this.#pacer();
    for (let i = 0; this.#running; i++) {
      await pace();
      const key = `${this.#opts.prefix}:w${w}:${i}`;
      if ((await this.#timed('set', () => this.#client.set(key, `v${i}`))).ok) this.#acked.push(key);
    }
  }

  async #reader(r: number): Promise<void> {
    const pick = picker(7919 * (r + 1));
    const pace = this.#pacer();
    while (this.#running) {
      await pace();
      const i = pick(this.#opts.readKeys);
      const want = sampleKey(i, { kind: 'strings', valueSize: this.#opts.valueSize });
      const got = await this.#timed('get', () => this.#client.get(want.key));
      if (got.ok && got.value !== want.value) this.#bad('WRONG-READ', `GET ${want.key} returned ${got.value === null ? 'nil' : JSON.stringify(got.value.slice(0, 20))}`);
    }
  }

  async #multiKey(tags: readonly string[], l: number): Promise<void> {
    const pick = picker(104729 * (l + 1));
    const pace = this.#pacer();
    for (let n = 1; this.#running; n++) {
      await pace();
      const t = tags[pick(tags.length)]!;
      const v = String(n);
      const set = await this.#timed('mset', () => this.#client.mset([[`{${t}}:a`, v], [`{${t}}:b`, v]]));
      this.#tagValue.set(t, set.ok ? v : null);
      const got = await this.#timed('mget', () => this.#client.mget([`{${t}}:a`, `{${t}}:b`]));
      const want = this.#tagValue.get(t);
      if (got.ok && (got.value[0] !== got.value[1] || (want !== null && got.value[0] !== want))) {
        this.#bad('WRONG-READ', `MGET {${t}} returned ${JSON.stringify(got.value)}, expected ${want ?? 'two equal values'}`);
      }
      if (got.ok && got.value[0] === got.value[1] && got.value[0] !== null) this.#tagValue.set(t, got.value[0]!);
    }
  }

  async #transactions(tags: readonly string[], l: number): Promise<void> {
    const pick = picker(15485863 * (l + 1));
    const pace = this.#pacer();
    for (let n = 1; this.#running; n++) {
      await pace();
      const t = tags[pick(tags.length)]!;
      const c = this.#incr.get(t)!;
      const r = await this.#timed('multi', () => this.#client.incrInMulti(`{${t}}:n`, `{${t}}:last`, String(n)));
      if (!r.ok) c.unsure++;
      else {
        if (c.unsure === 0 && r.value !== c.acked + 1) this.#bad('WRONG-READ', `INCR {${t}}:n in MULTI returned ${r.value}, expected ${c.acked + 1}`);
        c.acked++;
      }
    }
  }

  /** Stop the loops, then read back every acknowledged write. */
  async stop(): Promise<MixedLoadStats> {
    this.#running = false;
    await Promise.all(this.#loops);
    const lost = await this.#verify();
    const sorted = this.#latencies.slice(0, this.#count).sort();
    return {
      client: this.#client.name,
      ops: this.#count,
      opsByKind: { ...this.#byKind },
      errors: this.#errors,
      errorCount: errorCount(this.#errors),
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1] ?? 0,
      lost,
    };
  }

  async #verify(): Promise<number> {
    let lost = 0;
    const c = this.#client;
    for (let i = 0; i < this.#acked.length; i += 500) {
      const chunk = this.#acked.slice(i, i + 500);
      const values = await Promise.all(chunk.map((k) => c.get(k)));
      values.forEach((v, j) => {
        if (v !== `v${chunk[j]!.split(':').pop()}`) lost++;
      });
    }
    for (const [t, want] of this.#tagValue) {
      const [a, b] = await c.mget([`{${t}}:a`, `{${t}}:b`]);
      if (a !== b || (want !== null && a !== want)) lost++;
    }
    for (const [t, { acked, unsure }] of this.#incr) {
      const n = Number(await c.get(`{${t}}:n`));
      if (n < acked || n > acked + unsure) lost++;
    }
    return lost;
  }
}
