import PQueue from 'p-queue';
import { slotSteps, SlotMigrationError, type FirstBatch, type SlotContext, type SlotMove } from './move-slot.js';
import type { PreparedMove } from './preflight.js';

/** A slot between being opened and being closed. */
interface LiveSlot {
  readonly m: PreparedMove;
  /** `m` as the protocol steps take it, made once per slot (not once per step). */
  readonly move: SlotMove;
  /** Keys at start (for events); the key loop's first fetch, once the source is MIGRATING, is authoritative. */
  keys: number;
  moved: number;
  readonly started: number;
}

/** What the pipeline needs from the run around it. */
export interface PipelineHooks {
  readonly ctx: SlotContext;
  /** Most slots open at once (read each time: the UI may change it). */
  readonly limit: () => number;
  /** Most slots open at once per node, as source or target. */
  readonly perNode: number;
  /** Key loops (so MIGRATEs) in flight per source; 1 keeps a source's blocking to one MIGRATE. */
  readonly perSource: number;
  /**
   * True while clients use the cluster (read each time): each target then takes slots from at most
   * GENTLE_SOURCES_PER_TARGET sources at a time and each source runs one MIGRATE at a time, so a
   * few masters are busy instead of every one, and the CPU the clients need is not all taken.
   */
  readonly gentle: () => boolean;
  /** True while paused: open no new slot, keep the open ones going. */
  readonly paused: () => boolean;
  /** True once the run is stopping (failure, abort, signal): open no new slot, finish the open ones. */
  readonly stopping: () => boolean;
  readonly onDone: (m: PreparedMove, moved: number, ms: number) => void;
  readonly onFailed: (m: PreparedMove, error: unknown) => void;
}

/** `slot>target` pairs a node says it is migrating as a master; null when its view cannot be read. */
async function migratingSlotsOf(ctx: SlotContext, node: string): Promise<ReadonlySet<string> | null> {
  const view = await ctx.admin.view(node).catch(() => null);
  const me = view?.find((l) => l.flags.includes('myself'));
  if (!me) return null;
  return new Set(me.role === 'master' ? me.openSlots.filter((o) => o.state === 'migrating').map((o) => `${o.slot}>${o.peer}`) : []);
}

/**
 * Before the target claims a slot, its source must still be migrating it. A source that failed over
 * meanwhile lost the marker (Redis does not replicate it): its former replica now serves the slot and
 * takes writes for it, and a claim by the target would make whichever side loses the epoch race drop
 * its keys. Such a slot fails instead; resume continues it from the new master. One CLUSTER NODES per
 * source per closing burst; a view that cannot be read does not block (the SETSLOTs will tell).
 */
async function checkStillMigrating(s: LiveSlot, migrating: (node: string) => Promise<ReadonlySet<string> | null>): Promise<void> {
  if (s.m.action !== 'move') return;
  const open = await migrating(s.m.from);
  if (open && !open.has(`${s.m.slot}>${s.m.to}`)) {
    throw new SlotMigrationError(s.m.slot, s.m.from, s.m.to, 'OTHER', s.moved ? 'keys' : 'migrating', 'the source no longer migrates this slot (a failover turned it into a replica?); not closing it, so no side drops keys: slotpilot resume continues from the new master');
  }
}

/** Shortest time between two closing bursts (see #flushClose). */
export const CLOSE_EVERY_MS = 100;
/**
 * The same while clients are active (gentle pace). Each burst changes the owner of a batch of slots
 * on every master at once: each node rewrites its config and every client that touches one of those
 * slots gets MOVED and reloads its slot map. On the bench under load, closing every 100 ms made the
 * clients reload their maps ~50 times and gave p99 2.8–2.9 ms; every 200–500 ms, 13–31 reloads and
 * p99 1.7–2.1 ms, at the same speed. At full speed on an idle cluster a longer wait only holds slots
 * open (2.45 s → 2.9–3.1 s at 300 ms).
 */
export const CLOSE_EVERY_GENTLE_MS = 250;
/**
 * Sources a target takes slots from at once at the gentle pace. Bench under load, same build,
 * alternating runs: one source gave 3.20×/2.60×/2.80× redis-cli's speed with p99 1.59/1.40/1.22×
 * redis-cli's; two gave 3.39×/3.05×/3.38× with p99 1.66/1.87/1.86×; every master at once (the
 * full pace) gave p99 over 2× (with --per-source 2 in gentle: worse still).
 */
export const GENTLE_SOURCES_PER_TARGET = 2;

const asMove = (m: PreparedMove): SlotMove => ({ slot: m.slot, from: m.from, to: m.to, action: m.action as 'move' | 'assign', keys: m.keys, ...(m.bytes !== undefined ? { bytes: m.bytes } : {}) });

/**
 * Moves slots as a stream instead of lock-step waves, so no slot waits for the slowest of its wave:
 * - opening: whatever capacity is free is filled in one batch (IMPORTING on the targets, MIGRATING on
 *   the sources, then each slot's first GETKEYSINSLOT; each a pipelined burst per node, so a node
 *   saves its config once per burst rather than once per slot);
 * - keys: a p-queue per source runs the slots' key loops, `perSource` at a time (each MIGRATE
 *   blocks the source's thread; a second one queued keeps it busy during the first one's reply);
 * - closing: slots whose keys are gone are assigned in batches (target NODE first, then source and
 *   the other masters), again one pipelined burst per node.
 * Opening and closing coalesce: while a burst is in flight, newly ready slots gather for the next.
 */
export class SlotPipeline {
  /** Moves not opened yet, in the order to open them. */
  #pending: PreparedMove[];
  readonly #hooks: PipelineHooks;
  /** Open slots per node (as source or target): the per-node limit. */
  readonly #openPerNode = new Map<string, number>();
  /** Open slots per target, per source: the gentle pace limits how many sources a target takes from. */
  readonly #openPairs = new Map<string, Map<string, number>>();
  #open = 0;
  /** One queue per source, concurrency 1: MIGRATE blocks the source's only thread. */
  readonly #sourceQueues = new Map<string, PQueue>();
  /** Slots whose keys are gone, waiting for the next closing burst. */
  #toClose: LiveSlot[] = [];
  #opening = false;
  #closing = false;
  /** When the last closing burst started, and the timer of the next one. */
  #lastClose = 0;
  #closeTimer: NodeJS.Timeout | null = null;
  #finish: () => void = () => {};
  readonly finished: Promise<void>;

  constructor(moves: readonly PreparedMove[], hooks: PipelineHooks) {
    this.#pending = [...moves];
    this.#hooks = hooks;
    this.finished = new Promise((resolve) => (this.#finish = resolve));
  }

  /** Moves never opened (the run stopped before them). */
  get notStarted(): number {
    return this.#pending.length;
  }

  /** Start, or look again after a resume or a concurrency change. */
  pump(): void {
    if (!this.#opening && !this.#hooks.paused() && !this.#hooks.stopping()) {
      const batch = this.#take();
      if (batch.length) {
        this.#opening = true;
        void this.#openBatch(batch).finally(() => {
          this.#opening = false;
          this.pump();
        });
      }
    }
    const idle = !this.#opening && !this.#closing && this.#open === 0 && !this.#toClose.length;
    if (idle && (!this.#pending.length || this.#hooks.stopping())) this.#finish();
  }

  #count(node: string, delta: number): void {
    this.#openPerNode.set(node, (this.#openPerNode.get(node) ?? 0) + delta);
  }

  /** As many pending moves as the global and per-node limits allow, in order (one pass). */
  #take(): PreparedMove[] {
    const batch: PreparedMove[] = [];
    const limit = this.#hooks.limit();
    // Open in large bursts (each costs every node a config rewrite): wait until half the capacity is
    // free, unless little is open (the start, or the end of the plan).
    if (this.#open > limit / 2) return batch;
    const rest: PreparedMove[] = [];
    const gentle = this.#hooks.gentle();
    for (const m of this.#pending) {
      const fits = this.#open < limit && (this.#openPerNode.get(m.from) ?? 0) < this.#hooks.perNode && (this.#openPerNode.get(m.to) ?? 0) < this.#hooks.perNode && (!gentle || this.#sourceFits(m));
      if (!fits) {
        rest.push(m);
        continue;
      }
      batch.push(m);
      this.#open++;
      this.#count(m.from, 1);
      this.#count(m.to, 1);
      this.#pair(m, 1);
    }
    if (batch.length) this.#pending = rest;
    return batch;
  }

  #release(m: PreparedMove): void {
    this.#open--;
    this.#count(m.from, -1);
    this.#count(m.to, -1);
    this.#pair(m, -1);
  }

  #pair(m: PreparedMove, delta: number): void {
    let sources = this.#openPairs.get(m.to);
    if (!sources) this.#openPairs.set(m.to, (sources = new Map()));
    const n = (sources.get(m.from) ?? 0) + delta;
    if (n > 0) sources.set(m.from, n);
    else sources.delete(m.from);
  }

  /** Gentle pace: `m`'s target takes slots from fewer than GENTLE_SOURCES_PER_TARGET other sources. */
  #sourceFits(m: PreparedMove): boolean {
    const sources = this.#openPairs.get(m.to);
    return !sources || sources.has(m.from) || sources.size < GENTLE_SOURCES_PER_TARGET;
  }

  /** MIGRATEs at once on one source, for the current pace. */
  #perSource(): number {
    return this.#hooks.gentle() ? 1 : this.#hooks.perSource;
  }

  /** The pace changed: adjust the source queues now and open what the new pace allows. */
  paceChanged(): void {
    for (const q of this.#sourceQueues.values()) q.concurrency = this.#perSource();
    this.pump();
  }

  /** Run one protocol step for every slot of a burst at once; slots whose step failed leave it. */
  async #stage(slots: readonly LiveSlot[], fn: (s: LiveSlot) => Promise<void>): Promise<LiveSlot[]> {
    const results = await Promise.all(slots.map((s) => fn(s).then(() => null, (error: unknown) => error)));
    const survivors: LiveSlot[] = [];
    results.forEach((error, i) => {
      const s = slots[i]!;
      if (error === null) survivors.push(s);
      else this.#fail(s, error);
    });
    return survivors;
  }

  #fail(s: LiveSlot, error: unknown): void {
    this.#release(s.m);
    this.#hooks.onFailed(s.m, error);
  }

  async #openBatch(batch: readonly PreparedMove[]): Promise<void> {
    const { ctx } = this.#hooks;
    const now = Date.now();
    const live: LiveSlot[] = [];
    for (const m of batch) {
      if (m.action === 'done') {
        this.#release(m);
        this.#hooks.onDone(m, 0, 0);
      } else live.push({ m, move: asMove(m), keys: 0, moved: 0, started: now });
    }
    const begun = await this.#stage(live, async (s) => void (s.keys = await slotSteps.begin(ctx, s.move)));
    const moving = begun.filter((s) => s.m.action === 'move');
    const opened = await this.#stage(await this.#stage(moving, (s) => slotSteps.importing(ctx, s.move)), (s) => slotSteps.migrating(ctx, s.move));
    // The plan's count may miss a key written since; now that the source is MIGRATING no key can be
    // added there, so its first GETKEYSINSLOT is authoritative: empty → close, else the key loop
    // starts with these keys (one command per slot instead of a count and then a fetch).
    const first = new Map<LiveSlot, FirstBatch>();
    const fetched = await this.#stage(opened, async (s) => void first.set(s, await slotSteps.firstKeys(ctx, s.move)));
    for (const s of fetched) {
      const batch = first.get(s)!;
      if (batch.keys.length) this.#enqueueKeys(s, batch);
      else this.#toClose.push(s);
    }
    this.#toClose.push(...begun.filter((s) => s.m.action === 'assign'));
    this.#flushClose();
  }

  /** Queue a slot's key loop on its source's queue (one MIGRATE stream per source). */
  #enqueueKeys(s: LiveSlot, first: FirstBatch): void {
    const source = s.m.from;
    let q = this.#sourceQueues.get(source);
    if (!q) this.#sourceQueues.set(source, (q = new PQueue({ concurrency: this.#perSource() })));
    void q.add(() => this.#moveKeys(s, first));
  }

  async #moveKeys(s: LiveSlot, first: FirstBatch): Promise<void> {
    const { ctx } = this.#hooks;
    try {
      s.moved = await slotSteps.keys(ctx, s.move, first);
      this.#toClose.push(s);
      this.#flushClose();
    } catch (error) {
      this.#fail(s, error);
      this.pump();
    }
  }

  /**
   * Close the slots whose keys are gone, in bursts at most every CLOSE_EVERY_MS (or at once when
   * nothing else is moving). Each target NODE bumps the config epoch and broadcasts it, and every
   * node then rewrites its config file; a few large bursts cost the nodes far less CPU than a
   * stream of small ones, and the CPU is what the MIGRATEs need.
   */
  #flushClose(): void {
    if (this.#closing || !this.#toClose.length || this.#closeTimer) return;
    const wait = this.#lastClose + (this.#hooks.gentle() ? CLOSE_EVERY_GENTLE_MS : CLOSE_EVERY_MS) - Date.now();
    const busy = this.#toClose.length < this.#open;
    if (busy && wait > 0) {
      this.#closeTimer = setTimeout(() => {
        this.#closeTimer = null;
        this.#flushClose();
      }, wait);
      return;
    }
    this.#lastClose = Date.now();
    this.#closing = true;
    const batch = this.#toClose;
    this.#toClose = [];
    const { ctx } = this.#hooks;
    void (async () => {
      const views = new Map<string, Promise<ReadonlySet<string> | null>>();
      const migrating = (node: string): Promise<ReadonlySet<string> | null> => {
        let v = views.get(node);
        if (!v) views.set(node, (v = migratingSlotsOf(ctx, node)));
        return v;
      };
      const checked = await this.#stage(batch, (s) => checkStillMigrating(s, migrating));
      const assigned = await this.#stage(checked, (s) => slotSteps.assignTarget(ctx, s.move));
      const closed = await this.#stage(assigned, (s) => slotSteps.assignRest(ctx, s.move));
      for (const s of closed) {
        this.#release(s.m);
        this.#hooks.onDone(s.m, s.moved, Date.now() - s.started);
      }
    })()
      .catch((error: unknown) => {
        // #stage catches per slot; anything here is a bug: fail the burst rather than hang.
        for (const s of batch) this.#fail(s, error instanceof SlotMigrationError ? error : new Error(String(error)));
      })
      .finally(() => {
        this.#closing = false;
        this.#flushClose();
        this.pump();
      });
  }
}
