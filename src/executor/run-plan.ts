import { randomUUID } from 'node:crypto';
import { attachJournal, JOURNAL_VERSION } from '../journal/journal.js';
import type { Plan } from '../planner/plan-schema.js';
import { formatAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import { BatchSizer, ServerCostSampler } from './batch-sizer.js';
import { connectAdmin, type ClusterAdmin } from './cluster-admin.js';
import type { EventListener, ExecutorEvent, RunHandle, RunSummary, SlotPhase } from './events.js';
import { transition } from './slot-state.js';
import { othersNeedTelling, SlotMigrationError, type SlotContext } from './move-slot.js';
import { checkCapacity, preflight, prepareMoves, type PreparedMove } from './preflight.js';
import { CapacityWatch, type CapacityAlarm } from './capacity-watch.js';
import { settleOwners, SETTLE_TIMEOUT_MS } from './settle-owners.js';
import { GENTLE_SOURCES_PER_TARGET, SlotPipeline } from './slot-pipeline.js';
import type { Topology } from '../topology/types.js';
import { TrafficWatch, type PaceSetting } from './traffic.js';
import { Introduction, INTRO_SLOTS, INTRODUCE_MAX_MS, type IntroDecision } from './introduction.js';
import { sleep } from '../util/sleep.js';

export interface RunOptions {
  readonly seed: HostPort;
  readonly connection: ConnectionOptions;
  /** Slots open at once, across the cluster (default DEFAULT_CONCURRENCY). */
  readonly concurrency?: number;
  /** Slots open at once per node, as source or target (default DEFAULT_PER_NODE). */
  readonly perNodeLimit?: number;
  /** MIGRATEs in flight per source (default DEFAULT_MIGRATES_PER_SOURCE). */
  readonly migratesPerSource?: number;
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
  /** `auto` (default): full speed while no client traffic is seen on the masters, gentle while there is. */
  readonly pace?: PaceSetting;
  /**
   * Shortest time between two closing bursts (default DEFAULT_CLOSE_EVERY_MS: close as soon as a
   * slot's keys are gone). Longer: fewer bursts (each makes clients reload their slot maps) but
   * slots stay open longer (see docs/performance.md).
   */
  readonly closeEveryMs?: number;
  /**
   * Longest wait for the clients to connect to a new master after its intro slots (default
   * INTRODUCE_MAX_MS; 0: no wait, the intro slots still go first).
   */
  readonly introduceWaitMs?: number;
  /** Go on although a target would pass its maxmemory (said, not refused); evictions still fail the run. */
  readonly ignoreCapacity?: boolean;
  /** MIGRATE timeout in ms (default 10 s; retried once ×6 for a big key). */
  readonly migrateTimeoutMs?: number;
  /** Recorded in the journal header (`apply`, `rebalance`, `resume`, `fix`). */
  readonly command?: string;
  /** For tests: a scripted admin instead of real connections. */
  readonly admin?: ClusterAdmin;
  /** For tests: the cluster as pre-flight would read it (no reading, no waiting). */
  readonly topology?: Topology;
}

/** Defaults measured with `npm run bench` (see docs/performance.md). */
/**
 * Most slots open at once. Slots open just in time (see slot-pipeline.ts), so a run normally keeps far
 * fewer open; this is the ceiling the TUI's +/- moves.
 */
export const DEFAULT_CONCURRENCY = 512;
/** Close each slot as soon as its keys are gone (see RunOptions.closeEveryMs). */
export const DEFAULT_CLOSE_EVERY_MS = 0;
/** How often each target with a maxmemory is read (INFO memory, INFO stats) while slots move. */
export const CAPACITY_EVERY_MS = 50;
/** How often a new master waiting for its clients is read (INFO clients of it and the loaded masters). */
export const INTRO_POLL_MS = 50;
/** How often the run looks whether a new master started waiting for its clients (no I/O). */
export const INTRO_CHECK_MS = 5;
/** Per node (source or target): by default only the global limit applies; lower it to spare a node. */
export const DEFAULT_PER_NODE = 512;
/** Two MIGRATEs in flight per source: while one runs, the next is already queued on the source, so
 * the source never idles for a round trip through this process (the bench's slots hold ~60 keys, so
 * that round trip, not Redis, paced each source: 6.1 s → 4.6 s median on a loaded machine). The
 * batch budget is split between them (see `batchBudgetMs`), so a client still waits at most
 * `--max-block-ms` behind slotpilot's MIGRATEs on a source. */
export const DEFAULT_MIGRATES_PER_SOURCE = 2;

/** Each MIGRATE's share of `--max-block-ms` when several are queued on one source (they run back to back). */
export function batchBudgetMs(maxBlockMs: number, migratesPerSource: number): number {
  return maxBlockMs / Math.max(1, migratesPerSource);
}
export const DEFAULT_MAX_BLOCK_MS = 2;
/** How often the masters' client traffic is sampled (one INFO commandstats per master). */
export const TRAFFIC_EVERY_MS = 250;
/** The first traffic reading spans at least this long (a few hundred commands of a busy client). */
export const FIRST_WINDOW_MS = 30;

/** Order moves so consecutive ones use different node pairs: every source starts working at once. */
export function interleaveByPair<T extends { from: string; to: string; slot: number }>(moves: readonly T[]): T[] {
  const byPair = new Map<string, T[]>();
  for (const m of moves) {
    const key = `${m.from}>${m.to}`;
    const list = byPair.get(key);
    if (list) list.push(m);
    else byPair.set(key, [m]);
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
  /** Slots open at once; the pipeline reads it each time it opens more. */
  #concurrency: number;
  /** Set once pre-flight has passed; steering before that only changes the flags it will read. */
  #pipeline: SlotPipeline | null = null;
  #paused = false;
  #stopping: RunSummary['stoppedBy'] = null;
  #stopNow = false;
  readonly #opts: RunOptions;

  constructor(plan: Plan, opts: RunOptions) {
    this.#opts = opts;
    this.#concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
    this.done = this.#run(plan);
    this.done.catch(() => {});
  }

  get concurrency(): number {
    return this.#concurrency;
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
    this.#pipeline?.pump();
  }

  setConcurrency(n: number): void {
    if (!Number.isInteger(n) || n < 1) throw new TypeError(`Expected \`concurrency\` to be a whole number >= 1, got ${n}`);
    this.#concurrency = n;
    this.#emit({ type: 'concurrency', t: Date.now(), value: n });
    this.#pipeline?.pump();
  }

  abort(immediate = false): void {
    if (immediate) this.#stopNow = true;
    if (!this.#stopping) this.#stopping = 'abort';
    this.#emit({ type: 'stopping', t: Date.now(), message: immediate ? 'stopping at once; open slots are left for resume' : 'finishing the slots in flight, starting no more' });
    this.#pipeline?.pump();
  }

  /** Stop because of a signal (reported as such in the summary). */
  interrupt(immediate: boolean): void {
    if (!this.#stopping) this.#stopping = 'signal';
    this.abort(immediate);
  }

  /** Each slot's phase, checked against the state machine (slot-state.ts) as events go out. */
  readonly #phases = new Map<number, SlotPhase>();

  #emit(event: ExecutorEvent): void {
    if (event.type === 'slot-phase') this.#phases.set(event.slot, transition(event.slot, this.#phases.get(event.slot) ?? 'pending', event.phase));
    for (const l of [...this.#listeners]) l(event);
  }

  #summary = { done: 0, failed: 0, keys: 0, bytes: 0 };
  /** Set once run-start is out: pace changes before it are told with it. */
  #runStarted = false;
  /** Keys in/out per node since the last node-rate event. */
  #rates = new Map<string, { in: number; out: number }>();

  #slotDone(m: PreparedMove, moved: number, ms: number): void {
    this.#summary.done++;
    this.#summary.keys += moved;
    this.#moved.push({ slot: m.slot, to: m.to });
    if (m.action === 'done') {
      this.#emit({ type: 'slot-done', t: Date.now(), slot: m.slot, from: m.from, to: m.to, keys: 0, ms: 0, alreadyDone: true });
      return;
    }
    this.#emit({ type: 'slot-phase', t: Date.now(), slot: m.slot, phase: 'done' });
    this.#emit({ type: 'slot-done', t: Date.now(), slot: m.slot, from: m.from, to: m.to, keys: moved, ms });
  }

  /** A failed slot is a recorded state with its reason; the first failure stops new slots. */
  #slotFailed(m: PreparedMove, error: unknown): void {
    const e = error instanceof SlotMigrationError ? error : new SlotMigrationError(m.slot, m.from, m.to, 'OTHER', 'pending', String((error as Error)?.message ?? error));
    this.#summary.failed++;
    this.#emit({ type: 'slot-phase', t: Date.now(), slot: m.slot, phase: 'failed' });
    this.#emit({ type: 'slot-failed', t: Date.now(), slot: m.slot, from: m.from, to: m.to, code: e.code, reason: e.message, phase: e.phase });
    if (e.code !== 'INTERRUPTED' && !this.#stopping) {
      this.#stopping = 'failure';
      this.#emit({ type: 'stopping', t: Date.now(), message: `slot ${m.slot} failed; finishing the slots in flight, starting no more` });
    }
  }

  async #runPipeline(prepared: readonly PreparedMove[], keysKnown: boolean, ctx: SlotContext, watch: TrafficWatch, t: Topology, admin: ClusterAdmin): Promise<{ notStarted: number; pipeline: SlotPipeline }> {
    const ordered = interleaveByPair(prepared);
    const introduction = this.#introduction(ordered, t, watch.mode === 'gentle');
    const pipeline = new SlotPipeline(ordered, {
      ctx,
      limit: () => this.#concurrency,
      perNode: this.#opts.perNodeLimit ?? DEFAULT_PER_NODE,
      perSource: this.#opts.migratesPerSource ?? DEFAULT_MIGRATES_PER_SOURCE,
      gentle: () => watch.mode === 'gentle',
      paused: () => this.#paused,
      stopping: () => this.#stopping !== null,
      introduction,
      onIntroduced: (d) => this.#introduced(d, null, null),
      closeEveryMs: () => this.#opts.closeEveryMs ?? DEFAULT_CLOSE_EVERY_MS,
      plannedEmpty: (m) => keysKnown && m.keys === 0,
      onDone: (m, moved, ms) => this.#slotDone(m, moved, ms),
      onFailed: (m, error) => this.#slotFailed(m, error),
    });
    this.#pipeline = pipeline;
    for (const [node] of introduction.steps) this.#emit({ type: 'introduce', t: Date.now(), node, step: 'start', slots: this.#introSlots.get(node) ?? 0 });
    const polling = this.#pollIntroductions(introduction, admin, t, watch);
    pipeline.pump();
    await pipeline.finished;
    polling.stop();
    return { notStarted: pipeline.notStarted, pipeline };
  }

  /** Intro slots per new master (for events). */
  readonly #introSlots = new Map<string, number>();

  /** Targets that own no slot when the run starts are introduced to the clients first. */
  #introduction(ordered: readonly PreparedMove[], t: Topology, gentle: boolean): Introduction {
    const owning = new Set(t.slotOwners.filter((o): o is string => o !== null));
    const fresh = [...new Set(ordered.filter((m) => m.action === 'move').map((m) => m.to))].filter((id) => !owning.has(id));
    const intro = new Introduction(fresh, ordered.filter((m) => m.action === 'move'), { maxMs: this.#opts.introduceWaitMs ?? INTRODUCE_MAX_MS, sources: gentle ? GENTLE_SOURCES_PER_TARGET : Infinity });
    for (const id of fresh) this.#introSlots.set(id, Math.min(INTRO_SLOTS, ordered.filter((m) => m.to === id).length));
    return intro;
  }

  #introduced(d: IntroDecision, clients: number | null, baseline: number | null): void {
    this.#emit({ type: 'introduce', t: Date.now(), node: d.target, step: 'done', slots: this.#introSlots.get(d.target) ?? 0, reason: d.reason, waitedMs: d.waitedMs, clients, baseline });
    this.#pipeline?.pump();
  }

  /**
   * While a new master waits for its clients, read every INTRO_POLL_MS its connected_clients and the
   * loaded masters' (the fewest of them is the baseline), and let the introduction decide. Whether a
   * target started waiting is looked at every INTRO_CHECK_MS: on a quiet cluster the wait ends at
   * once, and the whole run was waiting for it (up to a poll interval, ~50 ms, per run).
   */
  #pollIntroductions(intro: Introduction, admin: ClusterAdmin, t: Topology, watch: TrafficWatch): { stop: () => void } {
    const loaded = [...new Set(t.slotOwners.filter((o): o is string => o !== null))].filter((id) => admin.masters.includes(id));
    const told = new Set<string>();
    let busy = false;
    let lastRead = 0;
    const timer = setInterval(() => {
      // A run without new masters, or past their introductions, has nothing to look at every 5 ms.
      if (intro.settled) {
        clearInterval(timer);
        return;
      }
      const waiting = intro.waiting;
      if (busy || !waiting.length) return;
      // Traffic is known only when the pace is sampled (auto); otherwise assume clients may be there.
      const traffic = (this.#opts.pace ?? 'auto') !== 'auto' || watch.opsPerSec > 0;
      if (traffic && Date.now() - lastRead < INTRO_POLL_MS) return;
      busy = true;
      lastRead = Date.now();
      void (async () => {
        const read = async (id: string) => (traffic && admin.connectedClients ? await admin.connectedClients(id).catch(() => null) : null);
        const base = await Promise.all(loaded.map(read));
        const known = base.filter((n): n is number => n !== null);
        const baseline = known.length ? Math.min(...known) : null;
        for (const id of waiting) {
          const clients = await read(id);
          if (!told.has(id)) {
            told.add(id);
            this.#emit({ type: 'introduce', t: Date.now(), node: id, step: 'waiting', slots: this.#introSlots.get(id) ?? 0, clients, baseline });
          }
          const d = intro.observe(id, clients, baseline, traffic, Date.now());
          if (d) this.#introduced(d, clients, baseline);
        }
      })().finally(() => (busy = false));
    }, INTRO_CHECK_MS);
    return { stop: () => clearInterval(timer) };
  }

  async #run(plan: Plan): Promise<RunSummary> {
    await Promise.resolve(); // let the caller subscribe before the first event
    const opts = this.#opts;
    const runId = randomUUID();
    const startedAt = Date.now();
    const say = (message: string): void => this.#emit({ type: 'preflight', t: Date.now(), message });
    const t = opts.topology ?? (await preflight(plan, opts.seed, opts.connection, opts.waitStableMs ?? 30_000, opts.resume ?? false, say));
    checkCapacity(plan, t, opts.ignoreCapacity ?? false, say);
    const masters = t.nodes.filter((n) => n.role === 'master' && !n.flags.includes('fail'));
    const planned = new Set(plan.moves.flatMap((m) => [m.from, m.to]));
    const involved = t.nodes.filter((n) => n.role === 'master' ? !n.flags.includes('fail') : planned.has(n.id));
    const admin = opts.admin ?? (await connectAdmin(involved, masters.map((m) => m.id), opts.connection, (opts.migrateTimeoutMs ?? 10_000) * 7 + 5_000));
    // Traffic is sampled from the start, so a busy cluster is known to be busy by the first slot.
    const watch = new TrafficWatch(opts.pace ?? 'auto');
    const watching = (opts.pace ?? 'auto') === 'auto' ? this.#watchTraffic(admin, watch) : { stop: () => {}, settled: Promise.resolve() };
    // Only a target with a maxmemory can run out of room or evict: nothing is sampled without one.
    const targets = new Set(plan.moves.map((m) => m.to));
    const limited = t.nodes.filter((n) => targets.has(n.id) && (n.maxMemory ?? 0) > 0).map((n) => n.id);
    const capacity = new CapacityWatch();
    const memory = this.#watchMemory(admin, limited, capacity);
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
      const sizer = new BatchSizer(batchBudgetMs(opts.maxBlockMs ?? DEFAULT_MAX_BLOCK_MS, opts.migratesPerSource ?? DEFAULT_MIGRATES_PER_SOURCE), opts.batch ?? null);
      const sampler = opts.batch === undefined ? new ServerCostSampler(sizer, (id) => admin.migrateStats(id)) : null;
      const ctx: SlotContext = {
        admin,
        onMigrateSent: (from, keys) => sampler?.sent(from, keys),
        sizer,
        emit: (e) => this.#emit(e),
        replace: opts.replace ?? false,
        migrateTimeoutMs: opts.migrateTimeoutMs ?? 10_000,
        stopNow: () => this.#stopNow,
        tellOthers: othersNeedTelling(plan.moves),
        countKeys: (from, to, n) => {
          const r = (id: string) => this.#rates.get(id) ?? (this.#rates.set(id, { in: 0, out: 0 }), this.#rates.get(id)!);
          r(from).out += n;
          r(to).in += n;
        },
      };
      await Promise.all([watching.settled, memory.settled]);
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
      this.#runStarted = true;
      if (watch.mode === 'gentle') this.#emit({ type: 'pace', t: Date.now(), mode: 'gentle', clientOpsPerSec: watch.opsPerSec });
      let notStarted = 0;
      let exposure: RunSummary['exposure'] = { slotSeconds: 0, maxOpen: 0, closingBursts: 0 };
      try {
        const ran = await this.#runPipeline(prepared, plan.source.keysKnown, ctx, watch, t, admin);
        notStarted = ran.notStarted;
        const e = ran.pipeline.exposure.stats(Date.now());
        exposure = { slotSeconds: Math.round(e.slotSeconds * 1000) / 1000, maxOpen: e.maxOpen, closingBursts: e.closingBursts };
      } finally {
        clearInterval(rateTimer);
        this.#emitRates();
      }
      const settled = await settleOwners(admin, new Map(this.#moved.map((m) => [m.slot, m.to])));
      if (settled.unsettled.length) {
        const addrs = settled.unsettled.map((id) => t.nodes.find((n) => n.id === id)?.addr ?? id.slice(0, 8));
        say(`${addrs.join(', ')} still show an old owner for moved slots after ${SETTLE_TIMEOUT_MS / 1000} s; gossip will settle them (see slotpilot check)`);
      }
      const summary: RunSummary = {
        runId,
        planned: plan.moves.length,
        done: this.#summary.done,
        failed: this.#summary.failed,
        notStarted,
        keys: this.#summary.keys,
        bytes: this.#summary.bytes,
        ms: Date.now() - startedAt,
        stoppedBy: this.#stopping,
        exposure,
        accounting: await this.#account(plan, admin, capacity, limited),
      };
      this.#emit({ type: 'run-end', t: Date.now(), summary });
      return summary;
    } finally {
      watching.stop();
      memory.stop();
      if (!opts.admin) admin.close();
    }
  }

  /** Moved slots and their targets, for the accounting at the end. */
  readonly #moved: { slot: number; to: string }[] = [];

  /**
   * Every key accounted for once the slots are closed: the keys now in each moved slot on its target,
   * and the evictions and expirations on the watched targets (read once more now).
   */
  async #account(plan: Plan, admin: ClusterAdmin, capacity: CapacityWatch, limited: readonly string[]): Promise<RunSummary['accounting']> {
    const counts = await Promise.all(this.#moved.map((m) => admin.countKeysInSlot(m.to, m.slot).catch(() => null)));
    const found = counts.some((c) => c === null) ? null : counts.reduce((a: number, c) => a + c!, 0);
    const read = async (): Promise<number> => {
      await Promise.all(limited.map(async (id) => this.#onMemory(capacity, id, (await admin.memory?.(id).catch(() => null)) ?? null)));
      return capacity.totals().evicted;
    };
    // A target over its maxmemory goes on evicting after the last slot closed (Redis frees memory
    // from a timer too, not only before commands): count until two readings 100 ms apart agree,
    // at most 2 s, so the total said at the end is the total lost.
    let evicted = await read();
    for (let i = 0; evicted > 0 && i < 20; i++) {
      await sleep(100);
      const now = await read();
      if (now === evicted) break;
      evicted = now;
    }
    return { planned: plan.summary.moved.keys, moved: this.#summary.keys, found, ...capacity.totals() };
  }

  /** Handle one memory reading of a watched target: report alarms, stop unless --ignore-capacity. */
  #onMemory(capacity: CapacityWatch, node: string, reading: Parameters<CapacityWatch['observe']>[1] | null): void {
    if (!reading) return;
    for (const a of capacity.observe(node, reading)) this.#capacityAlarm(a);
  }

  #capacityAlarm(a: CapacityAlarm): void {
    this.#emit({ type: 'capacity', t: Date.now(), node: a.node, kind: a.kind, used: a.used, max: a.max, policy: a.policy, ...(a.kind === 'evicted' ? { keys: a.keys } : {}) });
    if (this.#opts.ignoreCapacity || this.#stopping) return;
    this.#stopping = 'capacity';
    const why = a.kind === 'full' ? 'a target is nearly full' : 'a target evicted keys';
    this.#emit({ type: 'stopping', t: Date.now(), message: `${why}; finishing the slots in flight, starting no more` });
    this.#pipeline?.pump();
  }

  /**
   * Read each watched target's memory now (the baseline; `settled` resolves once read) and every
   * CAPACITY_EVERY_MS: often enough that a target filling at a few tens of MB/s is stopped within a
   * few hundred KB of the limit.
   */
  #watchMemory(admin: ClusterAdmin, limited: readonly string[], capacity: CapacityWatch): { stop: () => void; settled: Promise<void> } {
    if (!limited.length || !admin.memory) return { stop: () => {}, settled: Promise.resolve() };
    let busy = false;
    const tick = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        await Promise.all(limited.map(async (id) => this.#onMemory(capacity, id, await admin.memory!(id).catch(() => null))));
      } finally {
        busy = false;
      }
    };
    const settled = tick();
    const timer = setInterval(() => void tick(), CAPACITY_EVERY_MS);
    return { stop: () => clearInterval(timer), settled };
  }

  /**
   * Sample every master's client traffic now and every TRAFFIC_EVERY_MS. `settled` resolves once a
   * second sample, at least FIRST_WINDOW_MS after the first, has given each master a rate: the run
   * waits for it before opening slots, so a busy cluster is never opened at full speed (slots
   * opened from every source would stay open until their keys are gone, gentle or not).
   */
  #watchTraffic(admin: ClusterAdmin, watch: TrafficWatch): { stop: () => void; settled: Promise<void> } {
    const sample = admin.clientCalls?.bind(admin);
    if (!sample) return { stop: () => {}, settled: Promise.resolve() };
    let busy: Promise<void> | null = null;
    const tick = (): Promise<void> =>
      (busy ??= Promise.all(
        admin.masters.map(async (node) => {
          const calls = await sample(node).catch(() => null);
          const changed = watch.observe(node, calls, Date.now());
          if (changed) {
            if (this.#runStarted) this.#emit({ type: 'pace', t: Date.now(), mode: changed, clientOpsPerSec: watch.opsPerSec });
            this.#pipeline?.paceChanged();
          }
        }),
      ).then(() => void (busy = null)));
    const first = Date.now();
    const settled = tick().then(async () => {
      await new Promise((r) => setTimeout(r, Math.max(0, first + FIRST_WINDOW_MS - Date.now())));
      await tick();
    });
    const timer = setInterval(() => void tick(), TRAFFIC_EVERY_MS);
    return { stop: () => clearInterval(timer), settled };
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
