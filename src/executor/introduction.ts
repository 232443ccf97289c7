/**
 * Introducing a new master to the clients before slots open towards it.
 *
 * A master that owns no slot is not in `CLUSTER SLOTS`, so the first reply naming it must not be an
 * `ASK` for a slot in flight: node-redis then reloads `CLUSTER SLOTS`, does not find the node and gives
 * up ("Cannot find node"), and some clients of other languages learn a node only from a `MOVED`. So a
 * target that owns nothing when the run starts goes through three steps before it takes more:
 * 1. one slot moves to it alone (the first of its moves) and closes: from then on it is in every
 *    node's `CLUSTER SLOTS`;
 * 2. a few more (INTRO_SLOTS in all) move and close, so clients' commands meet it by `MOVED` soon;
 * 3. the run waits until the clients show up on it — its `connected_clients` reaches that of the least
 *    connected loaded master — or INTRODUCE_MAX_MS passes, whichever comes first; no wait on a quiet
 *    cluster (there is nobody to introduce it to).
 * Pure: the run feeds it opens, closes and client counts, with the time.
 */

/** Slots a new master takes, closed, before any other opens towards it. */
export const INTRO_SLOTS = 64;
/** Longest the run waits for clients to show up on a new master (then it goes on, and says so). */
export const INTRODUCE_MAX_MS = 3000;

export type IntroStep = 'first' | 'intro' | 'waiting' | 'introduced';

interface TargetState {
  step: IntroStep;
  /** The intro moves (slots), the first one first. */
  readonly slots: readonly number[];
  open: number;
  closed: number;
  /** When the wait began. */
  waitingSince: number;
  /** Planned moves towards it that are not intro moves (none: no wait needed). */
  readonly rest: number;
}

export interface IntroDecision {
  readonly target: string;
  /** Why the wait ended: clients seen, the bound reached, or no clients to wait for. */
  readonly reason: 'clients' | 'timeout' | 'quiet' | 'nothing-more';
  readonly waitedMs: number;
}

export interface IntroductionOptions {
  /** Slots each new target takes before any other opens towards it. */
  readonly introSlots?: number;
  /** Longest wait for clients to connect to a new target after its intro slots. */
  readonly maxMs?: number;
  /** Sources a new target's intro slots come from (the gentle pace's seats). */
  readonly sources?: number;
}

export class Introduction {
  readonly #targets = new Map<string, TargetState>();
  readonly #intro = new Set<string>();
  readonly #maxMs: number;

  /**
   * `newTargets`: targets owning no slot at the start. `moves` in the order the run opens them; the
   * first `introSlots` towards each new target are its intro moves, taken from its first `sources`
   * sources only: at the gentle pace a target takes from two sources at a time, and intro slots of a
   * third waited for the first two's to close (in the 12 + 4 bench the intro took 2.2 s, not ~1).
   */
  constructor(newTargets: Iterable<string>, moves: readonly { readonly slot: number; readonly from: string; readonly to: string }[], opts: IntroductionOptions = {}) {
    const { introSlots = INTRO_SLOTS, maxMs = INTRODUCE_MAX_MS, sources = Infinity } = opts;
    this.#maxMs = maxMs;
    for (const target of newTargets) {
      const towards = moves.filter((m) => m.to === target);
      if (!towards.length) continue;
      const from = new Set<string>();
      for (const m of towards) if (from.size < sources) from.add(m.from);
      const slots = towards
        .filter((m) => from.has(m.from))
        .slice(0, introSlots)
        .map((m) => m.slot);
      for (const s of slots) this.#intro.add(`${s}>${target}`);
      this.#targets.set(target, { step: 'first', slots, open: 0, closed: 0, waitingSince: 0, rest: towards.length - slots.length });
    }
  }

  /** The new targets, each with its step. */
  get steps(): ReadonlyMap<string, IntroStep> {
    return new Map([...this.#targets].map(([t, s]) => [t, s.step]));
  }

  /** Whether `to` is past its introduction (or never needed one). */
  introduced(to: string): boolean {
    const t = this.#targets.get(to);
    return !t || t.step === 'introduced';
  }

  /** Whether the move of `slot` to `to` may open now. */
  mayOpen(slot: number, to: string): boolean {
    const t = this.#targets.get(to);
    if (!t || t.step === 'introduced') return true;
    if (!this.#intro.has(`${slot}>${to}`)) return false;
    return t.step === 'intro' || (t.step === 'first' && t.open === 0 && slot === t.slots[0]);
  }

  opened(slot: number, to: string): void {
    const t = this.#targets.get(to);
    if (t && this.#intro.has(`${slot}>${to}`)) t.open++;
  }

  /** A move towards `to` closed (or failed) at `now`; returns a decision when the target needs no wait. */
  closed(slot: number, to: string, now: number): IntroDecision | null {
    const t = this.#targets.get(to);
    if (!t || !this.#intro.has(`${slot}>${to}`) || t.step === 'introduced') return null;
    t.open--;
    t.closed++;
    if (t.step === 'first') t.step = 'intro';
    if (t.closed < t.slots.length) return null;
    t.step = 'waiting';
    t.waitingSince = now;
    if (t.rest === 0) return this.#done(to, t, 'nothing-more', now);
    return null;
  }

  /** Every new target introduced (or none to introduce): nothing left to watch. */
  get settled(): boolean {
    return [...this.#targets.values()].every((t) => t.step === 'introduced');
  }

  /** Targets waiting for their clients. */
  get waiting(): string[] {
    return [...this.#targets].filter(([, t]) => t.step === 'waiting').map(([id]) => id);
  }

  /**
   * One reading for a waiting target: `clients` connected to it, `baseline` the fewest connected to a
   * loaded master (null when unknown), `traffic` whether clients use the cluster at all.
   */
  observe(target: string, clients: number | null, baseline: number | null, traffic: boolean, now: number): IntroDecision | null {
    const t = this.#targets.get(target);
    if (!t || t.step !== 'waiting') return null;
    if (!traffic) return this.#done(target, t, 'quiet', now);
    if (clients !== null && baseline !== null && clients >= baseline) return this.#done(target, t, 'clients', now);
    if (now - t.waitingSince >= this.#maxMs) return this.#done(target, t, 'timeout', now);
    return null;
  }

  #done(target: string, t: TargetState, reason: IntroDecision['reason'], now: number): IntroDecision {
    t.step = 'introduced';
    return { target, reason, waitedMs: Math.max(0, now - t.waitingSince) };
  }
}
