import type { ExecutorEvent, RunHandle, RunSummary } from '../executor/events.js';
import type { Plan } from '../planner/plan-schema.js';
import { SLOT_COUNT } from '../topology/types.js';
import type { SlotRunState } from './slot-map.js';
import { describeCapacity, describeIntroduce, describeSameCopy } from '../report/describe-run.js';

/** One in-flight slot as the execution view lists it. */
export interface FlightRow {
  readonly slot: number;
  readonly from: string;
  readonly to: string;
  /** Keys at start (the plan's estimate). */
  readonly keys: number;
  moved: number;
}

const STATE_CODES: readonly SlotRunState[] = ['idle', 'pending', 'flight', 'done', 'failed'];

/**
 * Everything the execution view shows, updated in place per event. A run emits tens of thousands of
 * events; copying state per event (as a React reducer would) costs the migration CPU, so events only
 * bump counters here and the view copies what it draws a few times a second (`version` tells it
 * whether anything changed).
 */
export class RunTracker {
  /** Bumped on every event, so a render tick can skip when nothing happened. */
  version = 0;
  startedAt: number | null = null;
  endedAt: number | null = null;
  slotsTotal = 0;
  keysTotal = 0;
  bytesTotal = 0;
  slotsDone = 0;
  slotsFailed = 0;
  keysMoved = 0;
  bytesMoved = 0;
  concurrency = 0;
  paused = false;
  stopping: string | null = null;
  /** `gentle` while clients use the cluster (the executor's pace event). */
  pace: 'fast' | 'gentle' = 'fast';
  journal: string | null = null;
  /** New masters being introduced to the clients, with the latest line about each (none once done). */
  readonly introducing = new Map<string, string>();
  summary: RunSummary | null = null;
  readonly preflight: string[] = [];
  readonly failures: { slot: number; code: string; reason: string }[] = [];
  /** Memory alarms of the targets (nearly full, keys evicted), as lines. */
  readonly capacity: string[] = [];
  /** Copies a lost MIGRATE reply had left on a target, overwritten (same-copy), as lines. */
  readonly notices: string[] = [];
  readonly inFlight = new Map<number, FlightRow>();
  /** id → addr of every node in the run. */
  nodes: Record<string, string> = {};
  /** Latest keys/s in and out per node (from `node-rate`, once a second). */
  readonly rates = new Map<string, { in: number; out: number }>();
  /** Per slot: index into STATE_CODES. Typed array: 16 KB, no per-slot objects. */
  readonly #states = new Uint8Array(SLOT_COUNT);
  /**
   * Per slot: the plan's bytes per key. The executor does not measure bytes (that would cost a
   * MEMORY USAGE per key), so bytes moved are keys moved priced at the plan's estimate.
   */
  readonly #bytesPerKey = new Float32Array(SLOT_COUNT);

  constructor(plan: Plan) {
    const m = plan.summary.moved;
    const average = m.keys ? m.bytes / m.keys : 0;
    for (const move of plan.moves) {
      this.#states[move.slot] = 1;
      this.#bytesPerKey[move.slot] = move.keys ? move.bytes / move.keys : average;
    }
    this.slotsTotal = plan.moves.length;
    this.keysTotal = m.keys;
    this.bytesTotal = m.bytes;
  }

  stateOf(slot: number): SlotRunState {
    return STATE_CODES[this.#states[slot]!]!;
  }

  /** Follow a run until it ends; returns the unsubscribe function. */
  follow(handle: RunHandle): () => void {
    this.concurrency = handle.concurrency;
    return handle.subscribe((e) => this.add(e));
  }

  add(e: ExecutorEvent): void {
    this.version++;
    switch (e.type) {
      case 'preflight':
        this.preflight.push(e.message);
        break;
      case 'run-start':
        this.startedAt = e.t;
        this.slotsTotal = e.slots;
        this.keysTotal = e.keys;
        this.bytesTotal = e.bytes;
        this.concurrency = e.concurrency;
        this.journal = e.journal;
        this.nodes = { ...e.nodes };
        break;
      case 'slot-start':
        this.#states[e.slot] = 2;
        this.inFlight.set(e.slot, { slot: e.slot, from: e.from, to: e.to, keys: e.keys, moved: 0 });
        break;
      case 'slot-progress': {
        const row = this.inFlight.get(e.slot);
        if (row) row.moved = e.moved;
        this.keysMoved += e.batch;
        this.bytesMoved += e.bytes && e.moved ? (e.bytes / e.moved) * e.batch : this.#bytesPerKey[e.slot]! * e.batch;
        break;
      }
      case 'slot-done':
        this.#states[e.slot] = 3;
        this.inFlight.delete(e.slot);
        this.slotsDone++;
        break;
      case 'slot-failed':
        this.#states[e.slot] = 4;
        this.inFlight.delete(e.slot);
        this.slotsFailed++;
        this.failures.push({ slot: e.slot, code: e.code, reason: e.reason });
        break;
      case 'node-rate':
        this.rates.set(e.node, { in: e.inKeysPerSec, out: e.outKeysPerSec });
        break;
      case 'paused':
        this.paused = true;
        break;
      case 'resumed':
        this.paused = false;
        break;
      case 'stopping':
        this.stopping = e.message ?? 'stopping';
        break;
      case 'pace':
        this.pace = e.mode;
        break;
      case 'capacity':
        this.capacity.push(describeCapacity(e, this.nodes[e.node] ?? e.node.slice(0, 8)));
        break;
      case 'same-copy':
        this.notices.push(describeSameCopy(e, this.nodes[e.to] ?? e.to.slice(0, 8)));
        break;
      case 'introduce':
        if (e.step === 'done') this.introducing.delete(e.node);
        else this.introducing.set(e.node, describeIntroduce(e, this.nodes[e.node] ?? e.node.slice(0, 8)));
        break;
      case 'concurrency':
        this.concurrency = e.value ?? this.concurrency;
        break;
      case 'run-end':
        this.summary = e.summary;
        this.endedAt = e.t;
        this.inFlight.clear();
        break;
      default:
        break;
    }
  }

  /**
   * Keys/s over the run so far and seconds left. The ETA weighs slots and keys alike: a plan of
   * mostly empty slots is paced by slot count, a plan of full ones by keys.
   */
  rateAndEta(now: number): { elapsedSec: number; slotsPerSec: number; keysPerSec: number; bytesPerSec: number; etaSec: number; share: number } {
    const elapsed = this.startedAt === null ? 0 : ((this.endedAt ?? now) - this.startedAt) / 1000;
    const per = (n: number): number => (elapsed > 0 ? n / elapsed : 0);
    const slotShare = this.slotsTotal ? (this.slotsDone + this.slotsFailed) / this.slotsTotal : 1;
    const keyShare = this.keysTotal ? Math.min(1, this.keysMoved / this.keysTotal) : slotShare;
    const share = (slotShare + keyShare) / 2;
    const etaSec = this.summary ? 0 : elapsed > 0 && share > 0 ? (elapsed / share) * (1 - share) : NaN;
    return { elapsedSec: elapsed, slotsPerSec: per(this.slotsDone), keysPerSec: per(this.keysMoved), bytesPerSec: per(this.bytesMoved), etaSec, share };
  }
}
