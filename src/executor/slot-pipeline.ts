import PQueue from 'p-queue';
import { ExposureTracker } from '../topology/exposure.js';
import type { Introduction, IntroDecision } from './introduction.js';
import { slotSteps, SlotMigrationError, stillMigrating, type FirstBatch, type SlotContext, type SlotMove } from './move-slot.js';
import { OpenAhead } from './open-ahead.js';
import type { PreparedMove } from './preflight.js';
import { SourceSeats } from './source-seats.js';

/** A slot between being opened and being closed. */
interface LiveSlot {
  readonly m: PreparedMove;
  /** `m` as the protocol steps take it, made once per slot (not once per step). */
  readonly move: SlotMove;
  /**
   * Which just-in-time count holds it until it is closed: its source's window (it has keys to move)
   * or the empties (it needs only its SETSLOTs). Closing slots count too: when closes are slow (a
   * busy target), opening more would only hold more slots open.
   */
  bucket: 'window' | 'empty' | null;
  moved: number;
  readonly started: number;
  /** The close-time check, when it went out behind the slot's last MIGRATE. */
  check: Promise<boolean | null> | null;
  /** When its key loop ended (performance.now()), to time its closing. */
  keysDoneAt: number | null;
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
  /** New masters and their introduction to the clients (see introduction.ts). */
  readonly introduction: Introduction;
  /** Told when a new master needs no wait after its intro slots (none left, or nothing more planned). */
  readonly onIntroduced: (decision: IntroDecision) => void;
  /** The plan knows this slot holds no key (so it opens without waiting for its source's key loops). */
  readonly plannedEmpty: (m: PreparedMove) => boolean;
  /** Shortest time between two rounds (0: the next round starts as soon as the last one returns). */
  readonly closeEveryMs: () => number;
  readonly onDone: (m: PreparedMove, moved: number, ms: number) => void;
  readonly onFailed: (m: PreparedMove, error: unknown) => void;
}

/**
 * Before the target claims a slot, its source must still be migrating it. A source that failed over
 * meanwhile lost the marker (Redis does not replicate it): its former replica now serves the slot and
 * takes writes for it, and a claim by the target would make whichever side loses the epoch race drop
 * its keys. Such a slot fails instead; resume continues it from the new master. One cheap probe per
 * slot (see ClusterAdmin.stillMigrating); an answer that cannot be read does not block (the SETSLOTs will tell).
 */
async function checkStillMigrating(ctx: SlotContext, s: LiveSlot): Promise<void> {
  if (s.m.action !== 'move') return;
  const still = await (s.check ?? stillMigrating(ctx, s.move));
  if (still === false) {
    throw new SlotMigrationError(s.m.slot, s.m.from, s.m.to, 'OTHER', s.moved ? 'keys' : 'migrating', 'the source no longer migrates this slot (a failover turned it into a replica?); not closing it, so no side drops keys: slotpilot resume continues from the new master');
  }
}

/**
 * Sources a target takes slots from at once at the gentle pace. Bench under load, same build,
 * alternating runs: one source gave 3.20×/2.60×/2.80× redis-cli's speed with p99 1.59/1.40/1.22×
 * redis-cli's; two gave 3.39×/3.05×/3.38× with p99 1.66/1.87/1.86×; every master at once (the
 * full pace) gave p99 over 2× (with --per-source 2 in gentle: worse still).
 */
export const GENTLE_SOURCES_PER_TARGET = 2;
/**
 * Empty slots (by the plan) open at once: they need no MIGRATE, only the SETSLOTs, so they do not wait
 * for their source's key loops; this bounds how many are open together.
 */
export const EMPTY_OPEN = 64;

const asMove = (m: PreparedMove): SlotMove => ({ slot: m.slot, from: m.from, to: m.to, action: m.action as 'move' | 'assign', keys: m.keys, ...(m.bytes !== undefined ? { bytes: m.bytes } : {}) });

/** The pending moves of one source → target pair, in plan order (the planner's contiguous runs). */
interface Lane {
  readonly from: string;
  readonly to: string;
  readonly moves: PreparedMove[];
  head: number;
}

/**
 * Moves slots as a stream, each slot open only while its keys move (just in time), in rounds:
 * - a round closes every slot whose keys are gone and opens the slots the sources will need next,
 *   in two steps, one pipelined write per node each: 1. every target gets its NODEs (closing slots,
 *   once the source still migrates them) and IMPORTINGs (opening slots); 2. every source gets its
 *   NODEs and its MIGRATINGs, each followed by that slot's first GETKEYSINSLOT (the other masters
 *   take the new owners from the targets' claims; see othersNeedTelling). A node rewrites its
 *   cluster config (an fsync) once per step that changed it, so one round costs each node one save,
 *   not one per slot or per kind;
 * - a slot opens when its source is about to need it — while fewer than `perSource + ahead` of the
 *   source's slots with keys are open (OpenAhead sizes `ahead` from the measured round and key-loop
 *   times);
 * - keys: a p-queue per source runs the slots' key loops, `perSource` at a time (each MIGRATE
 *   blocks the source's thread; a second one queued keeps it busy during the first one's reply).
 * Rounds do not overlap: while one is out, what becomes ready gathers for the next (at most every
 * `closeEveryMs`). New masters are introduced first (see introduction.ts). Open-slot exposure is
 * tracked as it goes.
 */
export class SlotPipeline {
  /** Pending moves per source → target pair; `#rr` rotates which lane opens first. */
  readonly #lanes: Lane[];
  #rr = 0;
  #pendingCount: number;
  readonly #hooks: PipelineHooks;
  /** Open slots per node (as source or target): the per-node limit. */
  readonly #openPerNode = new Map<string, number>();
  /** Open slots per target, per source: the gentle pace limits how many sources a target takes from. */
  readonly #openPairs = new Map<string, Map<string, number>>();
  /** Which sources each target takes from next at the gentle pace (see source-seats.ts). */
  readonly #seats = new SourceSeats(GENTLE_SOURCES_PER_TARGET);
  /** Open slots with keys per source, until closed: the just-in-time window. */
  readonly #window = new Map<string, number>();
  #openEmpty = 0;
  #open = 0;
  readonly #ahead = new OpenAhead();
  /** Exposure as this run caused it: every slot from its IMPORTING to its source's NODE. */
  readonly exposure = new ExposureTracker();
  /** One queue per source: MIGRATE blocks the source's only thread. */
  readonly #sourceQueues = new Map<string, PQueue>();
  /** Slots whose keys are gone (or that need only their NODEs), waiting for the next round. */
  #ready: LiveSlot[] = [];
  #round: Promise<void> | null = null;
  #lastRound = 0;
  #roundTimer: NodeJS.Timeout | null = null;
  #finish: () => void = () => {};
  readonly finished: Promise<void>;

  constructor(moves: readonly PreparedMove[], hooks: PipelineHooks) {
    const lanes = new Map<string, Lane>();
    for (const m of moves) {
      const key = `${m.from}>${m.to}`;
      let lane = lanes.get(key);
      if (!lane) lanes.set(key, (lane = { from: m.from, to: m.to, moves: [], head: 0 }));
      lane.moves.push(m);
    }
    // Moves that only need closing (resume) or nothing at all go first, in their own lanes.
    this.#lanes = [...lanes.values()].sort((a, b) => Number(b.moves[0]!.action !== 'move') - Number(a.moves[0]!.action !== 'move'));
    this.#pendingCount = moves.length;
    this.#hooks = hooks;
    this.finished = new Promise((resolve) => (this.#finish = resolve));
  }

  /** Moves never opened (the run stopped before them). */
  get notStarted(): number {
    return this.#pendingCount;
  }

  /** Start a round if there is work for one and none is out; finish when nothing is left. */
  pump(): void {
    if (!this.#round && !this.#roundTimer) {
      const wait = this.#lastRound + this.#hooks.closeEveryMs() - Date.now();
      // Waiting only pays while other slots are still moving; the last ones close at once.
      if (wait > 0 && this.#ready.length && this.#ready.length < this.#open) {
        this.#roundTimer = setTimeout(() => {
          this.#roundTimer = null;
          this.pump();
        }, wait);
      } else {
        const closing = this.#ready;
        const opening = this.#take();
        if (closing.length || opening.length) {
          this.#ready = [];
          this.#lastRound = Date.now();
          this.#round = this.#runRound(closing, opening).finally(() => {
            this.#round = null;
            this.pump();
          });
        }
      }
    }
    const idle = !this.#round && !this.#roundTimer && this.#open === 0 && !this.#ready.length;
    if (idle && (!this.#pendingCount || this.#hooks.stopping())) this.#finish();
  }

  /** Whether new slots may open at all now (not paused or stopping, some left). */
  #mayOpen(): boolean {
    return this.#pendingCount > 0 && !this.#hooks.paused() && !this.#hooks.stopping();
  }

  #count(map: Map<string, number>, node: string, delta: number): void {
    map.set(node, (map.get(node) ?? 0) + delta);
  }

  /** Whether `m` may open now under every limit; `keyed` says if it counts in its source's window. */
  #fits(m: PreparedMove, keyed: boolean, gentle: boolean): boolean {
    const h = this.#hooks;
    if (this.#open >= h.limit()) return false;
    if ((this.#openPerNode.get(m.from) ?? 0) >= h.perNode || (this.#openPerNode.get(m.to) ?? 0) >= h.perNode) return false;
    if (gentle && !this.#sourceFits(m)) return false;
    if (!h.introduction.mayOpen(m.slot, m.to)) return false;
    if (m.action !== 'move') return true;
    if (!keyed) return this.#openEmpty < EMPTY_OPEN;
    const loops = this.#perSource();
    return (this.#window.get(m.from) ?? 0) < loops + this.#ahead.ahead(m.from, loops);
  }

  /** The moves due now, lane by lane from a rotating start, each lane in its plan order. */
  #take(): LiveSlot[] {
    const batch: LiveSlot[] = [];
    if (!this.#mayOpen()) return batch;
    const gentle = this.#hooks.gentle();
    if (gentle) this.#seats.update(this.#lanes.map((l) => ({ from: l.from, to: l.to, pending: l.moves.length - l.head })));
    const now = Date.now();
    const n = this.#lanes.length;
    for (let i = 0; i < n; i++) {
      const lane = this.#lanes[(this.#rr + i) % n]!;
      while (lane.head < lane.moves.length) {
        const m = lane.moves[lane.head]!;
        const keyed = m.action === 'move' && !this.#hooks.plannedEmpty(m);
        if (!this.#fits(m, keyed, gentle)) break;
        lane.head++;
        this.#pendingCount--;
        const s: LiveSlot = { m, move: asMove(m), bucket: null, moved: 0, started: now, check: null, keysDoneAt: null };
        this.#hold(m, 1);
        if (m.action === 'move') this.#enter(s, keyed ? 'window' : 'empty');
        batch.push(s);
      }
    }
    this.#rr = (this.#rr + 1) % Math.max(1, n);
    return batch;
  }

  /** Count `m` as open (delta 1) or no longer open (-1) everywhere its limits look. */
  #hold(m: PreparedMove, delta: 1 | -1): void {
    this.#open += delta;
    this.#count(this.#openPerNode, m.from, delta);
    this.#count(this.#openPerNode, m.to, delta);
    this.#pair(m, delta);
    if (delta === 1) this.#hooks.introduction.opened(m.slot, m.to);
  }

  /** Move `s` into a just-in-time count, out of the one it was in (null: out of both). */
  #enter(s: LiveSlot, bucket: LiveSlot['bucket']): void {
    if (s.bucket === bucket) return;
    if (s.bucket === 'window') this.#count(this.#window, s.m.from, -1);
    if (s.bucket === 'empty') this.#openEmpty--;
    if (bucket === 'window') this.#count(this.#window, s.m.from, 1);
    if (bucket === 'empty') this.#openEmpty++;
    s.bucket = bucket;
  }

  #pair(m: PreparedMove, delta: number): void {
    let sources = this.#openPairs.get(m.to);
    if (!sources) this.#openPairs.set(m.to, (sources = new Map()));
    const n = (sources.get(m.from) ?? 0) + delta;
    if (n > 0) sources.set(m.from, n);
    else sources.delete(m.from);
  }

  /**
   * Gentle pace: `m`'s target has open slots from fewer than GENTLE_SOURCES_PER_TARGET other sources,
   * and `m`'s source holds one of its seats. A source that lost its seat opens no more towards it;
   * the next one opens once its open slots closed. A new master's intro slots come from its first
   * sources in the plan's order, not necessarily the seated ones, so its seats count once it is
   * introduced: before, a source holding intro slots could wait for a seat forever. A slot that
   * needs only its NODEs (resume) moves no key: it needs no seat, and closes first.
   */
  #sourceFits(m: PreparedMove): boolean {
    if (m.action === 'move' && this.#hooks.introduction.introduced(m.to) && !this.#seats.has(m.from, m.to)) return false;
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

  /** Run one protocol step for every slot of a round at once; slots whose step failed leave it. */
  async #stage(slots: readonly LiveSlot[], fn: (s: LiveSlot) => Promise<void>): Promise<LiveSlot[]> {
    return this.#survivors(slots, await Promise.all(slots.map((s) => fn(s).then(() => null, (error: unknown) => error))));
  }

  /** The slots whose step succeeded (`errors[i] === null`); the others fail here. */
  #survivors(slots: readonly LiveSlot[], errors: readonly unknown[]): LiveSlot[] {
    return slots.filter((s, i) => {
      if (errors[i] !== null) this.#fail(s, errors[i]);
      return errors[i] === null;
    });
  }

  /**
   * Step 4 for a round's closing slots: each target claims its moved slots together
   * (slotSteps.assignTargets); a slot only being assigned (resume) on its own.
   */
  async #claim(slots: readonly LiveSlot[]): Promise<LiveSlot[]> {
    const { ctx } = this.#hooks;
    const byTarget = new Map<string, LiveSlot[]>();
    const assignOnly: LiveSlot[] = [];
    for (const s of slots) {
      if (s.m.action !== 'move') assignOnly.push(s);
      else if (byTarget.has(s.m.to)) byTarget.get(s.m.to)!.push(s);
      else byTarget.set(s.m.to, [s]);
    }
    const claimGroup = async (group: readonly LiveSlot[]): Promise<LiveSlot[]> =>
      this.#survivors(
        group,
        await slotSteps.assignTargets(
          ctx,
          group[0]!.m.to,
          group.map((s) => s.move),
        ),
      );
    const claimed = await Promise.all([this.#stage(assignOnly, (s) => slotSteps.assignTarget(ctx, s.move)), ...[...byTarget.values()].map(claimGroup)]);
    return claimed.flat();
  }

  /** Closed or failed: no longer counted anywhere. */
  #release(s: LiveSlot): void {
    this.#enter(s, null);
    this.#hold(s.m, -1);
  }

  /** A failed slot stays open on the cluster (for resume): its exposure runs on until the run ends. */
  #fail(s: LiveSlot, error: unknown): void {
    this.#release(s);
    const decision = this.#hooks.introduction.closed(s.m.slot, s.m.to, Date.now());
    if (decision) this.#hooks.onIntroduced(decision);
    this.#hooks.onFailed(s.m, error);
  }

  /**
   * One round: close what is ready, open what is due, in two pipelined steps (targets, then sources).
   * The order inside each slot's protocol is kept: a closing slot's target claims it before its source
   * lets go; an opening slot's target imports it before its source migrates it.
   */
  async #runRound(closing: readonly LiveSlot[], taken: readonly LiveSlot[]): Promise<void> {
    const { ctx } = this.#hooks;
    const started = performance.now();
    const opening: LiveSlot[] = [];
    for (const s of taken) {
      if (s.m.action !== 'done') {
        opening.push(s);
        continue;
      }
      this.#release(s);
      this.#hooks.onDone(s.m, 0, 0);
    }
    const now = Date.now();
    for (const s of opening) this.exposure.open(s.m.slot, now);
    const begun = await this.#stage(opening, async (s) => void (await slotSteps.begin(ctx, s.move)));
    // Closing slots whose source no longer migrates them fail here, before any target claims one.
    const checked = await this.#stage(closing, (s) => checkStillMigrating(ctx, s));
    const moving = begun.filter((s) => s.m.action === 'move');
    const assigned: LiveSlot[] = [];
    const importing: LiveSlot[] = [];
    await Promise.all([
      this.#claim(checked).then((a) => assigned.push(...a)),
      this.#stage(moving, (s) => slotSteps.importing(ctx, s.move)).then((i) => importing.push(...i)),
    ]);
    // Opening slots that need only their NODEs (resume: the target owns them) close next round.
    this.#ready.push(...begun.filter((s) => s.m.action === 'assign'));
    // The plan's count may miss a key written since; once the source is MIGRATING no key can be
    // added there, so a GETKEYSINSLOT sent right behind the MIGRATING (same connection, same write:
    // Redis runs them in order) is authoritative: empty → close, else the key loop starts with these
    // keys. One round trip for both; its answer counts only if the MIGRATING succeeded.
    const first = new Map<LiveSlot, FirstBatch>();
    const [closed, fetched] = await Promise.all([
      this.#stage(assigned, (s) => slotSteps.assignRest(ctx, s.move)),
      this.#stage(importing, async (s) => {
        const marked = slotSteps.migrating(ctx, s.move);
        const keys = slotSteps.firstKeys(ctx, s.move);
        keys.catch(() => {});
        await marked;
        first.set(s, await keys);
      }),
    ]);
    const done = Date.now();
    this.exposure.close(
      closed.map((s) => s.m.slot),
      done,
    );
    const t = performance.now();
    if (opening.length || closed.length) this.#ahead.recordRound(t - started);
    for (const s of closed) {
      if (s.keysDoneAt !== null) this.#ahead.recordClose(t - s.keysDoneAt);
      this.#release(s);
      const decision = this.#hooks.introduction.closed(s.m.slot, s.m.to, done);
      if (decision) this.#hooks.onIntroduced(decision);
      this.#hooks.onDone(s.m, s.moved, done - s.started);
    }
    for (const s of fetched) {
      const keys = first.get(s)!;
      if (keys.keys.length) {
        // A slot planned empty that holds keys after all moves like any other.
        this.#enter(s, 'window');
        this.#enqueueKeys(s, keys);
      } else {
        s.keysDoneAt = performance.now();
        this.#ready.push(s);
      }
    }
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
    const started = performance.now();
    try {
      const done = await slotSteps.keys(ctx, s.move, first);
      s.moved = done.moved;
      s.check = done.check;
      this.#ahead.recordKeys(s.m.from, performance.now() - started);
      s.keysDoneAt = performance.now();
      this.#ready.push(s);
    } catch (error) {
      this.#fail(s, error);
    }
    this.pump();
  }
}
