import { randomUUID } from 'node:crypto';
import PQueue from 'p-queue';
import { attachJournal, JOURNAL_VERSION } from '../journal/journal.js';
import type { Plan } from '../planner/plan-schema.js';
import { formatAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import { BatchSizer } from './batch-sizer.js';
import { connectAdmin, type ClusterAdmin } from './cluster-admin.js';
import type { EventListener, ExecutorEvent, RunHandle, RunSummary } from './events.js';
import { Migrator } from './migrator.js';
import { slotSteps, SlotMigrationError, type SlotContext } from './move-slot.js';
import { preflight, prepareMoves, type PreparedMove } from './preflight.js';

export interface RunOptions {
  readonly seed: HostPort;
  readonly connection: ConnectionOptions;
  /** Slots per wave, i.e. open at once (default DEFAULT_CONCURRENCY). */
  readonly concurrency?: number;
  /** Slots per wave per node, as source or target (default: no limit besides the wave). */
  readonly perNodeLimit?: number;
  /** Fixed keys per MIGRATE; default adapts to `maxBlockMs`. */
  readonly batch?: number;
  /** Longest a single MIGRATE may block a source (default DEFAULT_MAX_BLOCK_MS). */
  readonly maxBlockMs?: number;
  /** MIGRATE … REPLACE: overwrite keys that already exist on the target. */
  readonly replace?: boolean;
  /** Journal file, or null for none. */
  readonly journal?: string | null;
  /** How long to wait for the cluster to agree and report ok before refusing (default 30 s). */
  readonly waitStableMs?: number;
  /** Continue a run: accept open or already-moved planned slots. */
  readonly resume?: boolean;
  /** MIGRATE timeout in ms (default 10 s; retried once ×6 for a big key). */
  readonly migrateTimeoutMs?: number;
  /** Recorded in the journal header (`apply`, `rebalance`, `resume`, `fix`). */
  readonly command?: string;
  /** For tests: a scripted admin instead of real connections. */
  readonly admin?: ClusterAdmin;
}

/** Defaults measured with `npm run bench` (see README, Performance). */
export const DEFAULT_CONCURRENCY = 256;
export const DEFAULT_MAX_BLOCK_MS = 2;

/** Order moves so consecutive ones use different node pairs: every source starts working at once. */
export function interleaveByPair<T extends { from: string; to: string; slot: number }>(moves: readonly T[]): T[] {
  const byPair = new Map<string, T[]>();
  for (const m of moves) {
    const key = `${m.from}>${m.to}`;
    byPair.set(key, [...(byPair.get(key) ?? []), m]);
  }
  const lists = [...byPair.keys()].sort().map((k) => byPair.get(k)!);
  const out: T[] = [];
  for (let i = 0; out.length < moves.length; i++) for (const list of lists) if (i < list.length) out.push(list[i]!);
  return out;
}

class Run implements RunHandle {
  readonly done: Promise<RunSummary>;
  /** Subscribers; events go out synchronously in emit order. */
  readonly #listeners = new Set<EventListener>();
  /** Runs each step of a wave for all its slots; its concurrency is the wave size. */
  readonly #queue: PQueue;
  /** Moves not started yet, in interleaved order. */
  #pending: PreparedMove[] = [];
  #paused = false;
  #stopping: RunSummary['stoppedBy'] = null;
  #stopNow = false;
  #wake: () => void = () => {};
  readonly #opts: RunOptions;
  readonly #perNode: number;

  constructor(plan: Plan, opts: RunOptions) {
    this.#opts = opts;
    this.#perNode = opts.perNodeLimit ?? Number.POSITIVE_INFINITY;
    this.#queue = new PQueue({ concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY });
    this.done = this.#run(plan);
    this.done.catch(() => {});
  }

  get concurrency(): number {
    return this.#queue.concurrency;
  }

  get paused(): boolean {
    return this.#paused;
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  pause(): void {
    if (this.#paused || this.#stopping) return;
    this.#paused = true;
    this.#emit({ type: 'paused', t: Date.now() });
  }

  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#emit({ type: 'resumed', t: Date.now() });
    this.#wake();
  }

  setConcurrency(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new TypeError(`Expected \`concurrency\` to be a whole number >= 1, got ${n}`);
    this.#queue.concurrency = n;
    this.#emit({ type: 'concurrency', t: Date.now(), value: n });
  }

  abort(immediate = false): void {
    if (immediate) this.#stopNow = true;
    if (!this.#stopping) this.#stopping = 'abort';
    this.#emit({ type: 'stopping', t: Date.now(), message: immediate ? 'stopping at once; open slots are left for resume' : 'finishing the slots in flight, starting no more' });
    this.#wake();
  }

  /** Stop because of a signal (reported as such in the summary). */
  interrupt(immediate: boolean): void {
    if (!this.#stopping) this.#stopping = 'signal';
    this.abort(immediate);
  }

  #emit(event: ExecutorEvent): void {
    for (const l of [...this.#listeners]) l(event);
  }

  /** The slot steps' shared context, set once pre-flight has passed. */
  #ctx!: SlotContext;
  #summary = { done: 0, failed: 0, keys: 0, bytes: 0 };
  /** Keys in/out per node since the last node-rate event. */
  #rates = new Map<string, { in: number; out: number }>();

  /** The next wave: up to `concurrency` moves, at most `perNodeLimit` per node (source or target). */
  #takeWave(): PreparedMove[] {
    const count = new Map<string, number>();
    const wave: PreparedMove[] = [];
    const rest: PreparedMove[] = [];
    for (const m of this.#pending) {
      const fits = wave.length < this.#queue.concurrency && (count.get(m.from) ?? 0) < this.#perNode && (count.get(m.to) ?? 0) < this.#perNode;
      if (!fits) {
        rest.push(m);
        continue;
      }
      wave.push(m);
      count.set(m.from, (count.get(m.from) ?? 0) + 1);
      count.set(m.to, (count.get(m.to) ?? 0) + 1);
    }
    this.#pending = rest;
    return wave;
  }

  /** Run one step for every slot of a wave at once; slots whose step failed leave the wave. */
  async #stage<T extends { m: PreparedMove }>(slots: readonly T[], fn: (s: T) => Promise<void>): Promise<T[]> {
    const results = await this.#queue.addAll(slots.map((s) => () => fn(s).then(() => null, (error: unknown) => error)));
    const survivors: T[] = [];
    results.forEach((error, i) => {
      const { m } = slots[i]!;
      if (error === null) return void survivors.push(slots[i]!);
      const e = error instanceof SlotMigrationError ? error : new SlotMigrationError(m.slot, m.from, m.to, 'OTHER', 'pending', String((error as Error)?.message ?? error));
      this.#summary.failed++;
      this.#emit({ type: 'slot-failed', t: Date.now(), slot: m.slot, from: m.from, to: m.to, code: e.code, reason: e.message, phase: e.phase });
      if (e.code !== 'INTERRUPTED' && !this.#stopping) {
        this.#stopping = 'failure';
        this.#emit({ type: 'stopping', t: Date.now(), message: `slot ${m.slot} failed; finishing the slots in flight, starting no more` });
      }
    });
    return survivors;
  }

  /**
   * Take a wave of slots through the protocol step by step: all IMPORTING, all MIGRATING, all key
   * loops, all SETSLOT NODE. Each node then saves its config a few times per wave instead of a few
   * times per slot, and no config fsync stalls a node while keys move.
   */
  async #runWave(wave: readonly PreparedMove[]): Promise<void> {
    const ctx = this.#ctx;
    const started = Date.now();
    for (const m of wave.filter((x) => x.action === 'done')) {
      this.#summary.done++;
      this.#emit({ type: 'slot-done', t: Date.now(), slot: m.slot, from: m.from, to: m.to, keys: 0, ms: 0, alreadyDone: true });
    }
    type Live = { m: PreparedMove; keys: number; moved: number };
    const move = (l: Live) => ({ slot: l.m.slot, from: l.m.from, to: l.m.to, action: l.m.action as 'move' | 'assign' });
    let live: Live[] = wave.filter((x) => x.action !== 'done').map((m) => ({ m, keys: 0, moved: 0 }));
    live = await this.#stage(live, async (l) => void (l.keys = await slotSteps.begin(ctx, move(l))));
    const moving = live.filter((l) => l.m.action === 'move');
    const opened = await this.#stage(await this.#stage(moving, (l) => slotSteps.importing(ctx, move(l))), (l) => slotSteps.migrating(ctx, move(l)));
    const drained = await this.#stage(opened.filter((l) => l.keys > 0), async (l) => void (l.moved = await slotSteps.keys(ctx, move(l))));
    const ready = new Set([...opened.filter((l) => l.keys === 0), ...drained]);
    live = live.filter((l) => l.m.action === 'assign' || ready.has(l));
    live = await this.#stage(await this.#stage(live, (l) => slotSteps.assignTarget(ctx, move(l))), (l) => slotSteps.assignRest(ctx, move(l)));
    for (const l of live) {
      this.#summary.done++;
      this.#summary.keys += l.moved;
      this.#emit({ type: 'slot-phase', t: Date.now(), slot: l.m.slot, phase: 'done' });
      this.#emit({ type: 'slot-done', t: Date.now(), slot: l.m.slot, from: l.m.from, to: l.m.to, keys: l.moved, ms: Date.now() - started });
    }
  }

  async #runWaves(prepared: readonly PreparedMove[]): Promise<void> {
    this.#pending = interleaveByPair(prepared);
    while (this.#pending.length && !this.#stopping) {
      if (this.#paused) {
        await new Promise<void>((resolve) => (this.#wake = resolve));
        continue;
      }
      await this.#runWave(this.#takeWave());
    }
  }

  async #run(plan: Plan): Promise<RunSummary> {
    await Promise.resolve(); // let the caller subscribe before the first event
    const opts = this.#opts;
    const runId = randomUUID();
    const startedAt = Date.now();
    const t = await preflight(plan, opts.seed, opts.connection, opts.waitStableMs ?? 30_000, opts.resume ?? false, (message) => this.#emit({ type: 'preflight', t: Date.now(), message }));
    const masters = t.nodes.filter((n) => n.role === 'master' && !n.flags.includes('fail'));
    const planned = new Set(plan.moves.flatMap((m) => [m.from, m.to]));
    const involved = t.nodes.filter((n) => n.role === 'master' ? !n.flags.includes('fail') : planned.has(n.id));
    const admin = opts.admin ?? (await connectAdmin(involved, masters.map((m) => m.id), opts.connection, (opts.migrateTimeoutMs ?? 10_000) * 7 + 5_000));
    try {
      const prepared = await prepareMoves(plan, t, admin, opts.resume ?? false);
      if (opts.journal) {
        attachJournal(this, opts.journal, {
          kind: 'slotpilot-journal',
          version: JOURNAL_VERSION,
          runId,
          startedAt: new Date(startedAt).toISOString(),
          seed: formatAddr(opts.seed),
          command: opts.command ?? 'apply',
          options: { concurrency: this.concurrency, batch: opts.batch ?? null, maxBlockMs: opts.maxBlockMs ?? DEFAULT_MAX_BLOCK_MS, replace: opts.replace ?? false },
          plan,
        });
      }
      const sizer = new BatchSizer(opts.maxBlockMs ?? DEFAULT_MAX_BLOCK_MS, opts.batch ?? null);
      this.#ctx = {
        admin,
        sizer,
        emit: (e) => this.#emit(e),
        replace: opts.replace ?? false,
        migrateTimeoutMs: opts.migrateTimeoutMs ?? 10_000,
        migrator: new Migrator(
          (from, to, keys) => admin.migrate(from, to, keys, { timeoutMs: opts.migrateTimeoutMs ?? 10_000, replace: opts.replace ?? false }),
          (from) => sizer.next(from),
          (from, keys, ms) => sizer.record(from, keys, ms),
        ),
        stopNow: () => this.#stopNow,
        countKeys: (from, to, n) => {
          const r = (id: string) => this.#rates.get(id) ?? (this.#rates.set(id, { in: 0, out: 0 }), this.#rates.get(id)!);
          r(from).out += n;
          r(to).in += n;
        },
      };
      this.#emit({
        type: 'run-start',
        t: Date.now(),
        runId,
        slots: plan.moves.length,
        keys: plan.summary.moved.keys,
        bytes: plan.summary.moved.bytes,
        concurrency: this.concurrency,
        journal: opts.journal ?? null,
        nodes: Object.fromEntries(t.nodes.map((n) => [n.id, n.addr])),
      });
      const rateTimer = setInterval(() => this.#emitRates(), 1000);
      try {
        await this.#runWaves(prepared);
      } finally {
        clearInterval(rateTimer);
        this.#emitRates();
      }
      const summary: RunSummary = {
        runId,
        planned: plan.moves.length,
        done: this.#summary.done,
        failed: this.#summary.failed,
        notStarted: this.#pending.length,
        keys: this.#summary.keys,
        bytes: this.#summary.bytes,
        ms: Date.now() - startedAt,
        stoppedBy: this.#stopping,
      };
      this.#emit({ type: 'run-end', t: Date.now(), summary });
      return summary;
    } finally {
      if (!opts.admin) admin.close();
    }
  }

  #emitRates(): void {
    for (const [node, r] of this.#rates) this.#emit({ type: 'node-rate', t: Date.now(), node, inKeysPerSec: r.in, outKeysPerSec: r.out });
    this.#rates.clear();
  }
}

/**
 * Start applying a plan and return at once. Pre-flight runs first (events `preflight`); a plan that
 * does not fit the cluster rejects `done` with RefusedError, having changed nothing. The UI and
 * reporters subscribe; the run never prints.
 */
export function startRun(plan: Plan, opts: RunOptions): RunHandle & { interrupt(immediate: boolean): void } {
  return new Run(plan, opts);
}
