/**
 * Typed events the executor emits. Every consumer (TUI, plain reporter, NDJSON reporter, journal)
 * reads these and nothing else; the executor never prints.
 *
 * `t` is milliseconds since the epoch. Node fields are node ids; `addr` fields are `host:port`.
 */

/** Where a slot is in the per-slot protocol (see DESIGN.md). */
export type SlotPhase =
  | 'pending'
  | 'importing' // target marked IMPORTING
  | 'migrating' // source marked MIGRATING
  | 'keys' // key loop running
  | 'assigning' // SETSLOT NODE on target, source, others
  | 'done'
  | 'failed'
  | 'skipped'; // already owned by the target (resume) or not started because the run stopped

export interface RunStartEvent {
  readonly type: 'run-start';
  readonly t: number;
  readonly runId: string;
  readonly slots: number;
  readonly keys: number;
  readonly bytes: number;
  readonly concurrency: number;
  readonly journal: string | null;
  /** id → addr of every node involved. */
  readonly nodes: Readonly<Record<string, string>>;
}

export interface PreflightEvent {
  readonly type: 'preflight';
  readonly t: number;
  readonly message: string;
}

export interface SlotStartEvent {
  readonly type: 'slot-start';
  readonly t: number;
  readonly slot: number;
  readonly from: string;
  readonly to: string;
  /** Keys in the slot when the move started: the plan's estimate (`slot-progress` has the live figures). */
  readonly keys: number;
}

export interface SlotPhaseEvent {
  readonly type: 'slot-phase';
  readonly t: number;
  readonly slot: number;
  readonly phase: SlotPhase;
}

export interface SlotProgressEvent {
  readonly type: 'slot-progress';
  readonly t: number;
  readonly slot: number;
  /** Keys moved so far for this slot. */
  readonly moved: number;
  /** Bytes moved so far (estimate) for this slot. */
  readonly bytes: number;
  /** Keys moved by the batch that produced this event. */
  readonly batch: number;
  readonly batchMs: number;
}

export interface SlotDoneEvent {
  readonly type: 'slot-done';
  readonly t: number;
  readonly slot: number;
  readonly from: string;
  readonly to: string;
  readonly keys: number;
  readonly ms: number;
  /** True when the slot was already owned by the target (resume). */
  readonly alreadyDone?: boolean;
}

export interface SlotFailedEvent {
  readonly type: 'slot-failed';
  readonly t: number;
  readonly slot: number;
  readonly from: string;
  readonly to: string;
  /** Classified cause: BUSYKEY, TIMEOUT, CLUSTERDOWN, IOERR, MOVED, CONNECTION, OTHER. */
  readonly code: string;
  /** One-line human reason, naming the key when one is concerned. */
  readonly reason: string;
  /** Phase the slot was in when it failed; tells `resume`/`fix` what is left open. */
  readonly phase: SlotPhase;
}

export interface NodeRateEvent {
  readonly type: 'node-rate';
  readonly t: number;
  readonly node: string;
  readonly inKeysPerSec: number;
  readonly outKeysPerSec: number;
}

export interface ControlEvent {
  readonly type: 'paused' | 'resumed' | 'stopping' | 'concurrency';
  readonly t: number;
  /** New concurrency for `concurrency`; reason for `stopping` is in `message`. */
  readonly value?: number;
  readonly message?: string;
}

/** The run changed pace: `gentle` while clients use the cluster (auto), `fast` once they are quiet. */
export interface PaceEvent {
  readonly type: 'pace';
  readonly t: number;
  readonly mode: 'fast' | 'gentle';
  /** Client commands per second seen on the masters. */
  readonly clientOpsPerSec: number;
}

/**
 * A master that owned no slot at the start is introduced to the clients before slots open towards it
 * (see introduction.ts): `start` (its first slot moves alone, then `slots` − 1 more), `waiting` (those
 * are closed; waiting for clients to connect to it), `done` (why the wait ended, and how long it took).
 */
export interface IntroduceEvent {
  readonly type: 'introduce';
  readonly t: number;
  /** The new master's node id. */
  readonly node: string;
  readonly step: 'start' | 'waiting' | 'done';
  /** Slots it takes before any other opens towards it. */
  readonly slots: number;
  readonly reason?: 'clients' | 'timeout' | 'quiet' | 'nothing-more';
  readonly waitedMs?: number;
  /** Client connections on it, and the fewest on a loaded master, at the last reading. */
  readonly clients?: number | null;
  readonly baseline?: number | null;
}

/**
 * A target's memory: `full` — it reached 95% of its maxmemory (the run stops opening slots unless
 * --ignore-capacity); `evicted` — it evicted keys during the run (data lost; the run exits 1).
 */
export interface CapacityEvent {
  readonly type: 'capacity';
  readonly t: number;
  readonly node: string;
  readonly kind: 'full' | 'evicted';
  readonly used: number;
  readonly max: number;
  readonly policy: string | null;
  /** Keys evicted since the last reading (`evicted`). */
  readonly keys?: number;
}

/**
 * Keys of a slot were already on its target with the source's value, left there by a MIGRATE whose
 * reply was lost: overwritten with the source's (which changes nothing) instead of failing the slot.
 */
export interface SameCopyEvent {
  readonly type: 'same-copy';
  readonly t: number;
  readonly slot: number;
  readonly from: string;
  readonly to: string;
  readonly keys: number;
  /** The first of them, as text (keyText: bytes that are not UTF-8 as \xNN). */
  readonly key: string;
}

/**
 * Every key accounted for: planned to move, moved by MIGRATE, found afterwards in the moved slots on
 * their targets (clients may have written or deleted meanwhile), and evicted or expired on the
 * targets while the run went on (only watched on targets with a maxmemory).
 */
export interface KeyAccounting {
  readonly planned: number;
  readonly moved: number;
  readonly found: number | null;
  readonly evicted: number;
  readonly expired: number;
}

/** Open-slot exposure this run caused (see src/topology/exposure.ts). */
export interface RunExposure {
  readonly slotSeconds: number;
  readonly maxOpen: number;
  readonly closingBursts: number;
}

export interface RunSummary {
  readonly runId: string;
  readonly planned: number;
  readonly done: number;
  readonly failed: number;
  /** Slots not started because the run stopped (abort or failure). */
  readonly notStarted: number;
  readonly keys: number;
  readonly bytes: number;
  readonly ms: number;
  /** Why the run ended early, if it did. */
  readonly stoppedBy: 'failure' | 'abort' | 'signal' | 'capacity' | null;
  /** Open slots integrated over the run, most open at once, closing bursts. */
  readonly exposure: RunExposure;
  readonly accounting: KeyAccounting;
}

export interface RunEndEvent {
  readonly type: 'run-end';
  readonly t: number;
  readonly summary: RunSummary;
}

export type ExecutorEvent =
  | RunStartEvent
  | PreflightEvent
  | SlotStartEvent
  | SlotPhaseEvent
  | SlotProgressEvent
  | SlotDoneEvent
  | SlotFailedEvent
  | NodeRateEvent
  | ControlEvent
  | PaceEvent
  | IntroduceEvent
  | CapacityEvent
  | SameCopyEvent
  | RunEndEvent;

export type EventListener = (event: ExecutorEvent) => void;

/**
 * A running apply. The executor runs on its own; a UI subscribes and steers it through these methods,
 * never by driving Redis itself.
 */
export interface RunHandle {
  /** Subscribe; returns the unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /** Stop starting new slots; in-flight slots continue. */
  pause(): void;
  resume(): void;
  setConcurrency(n: number): void;
  /** Graceful: finish in-flight slots, start no more. `immediate` abandons in-flight slots (resume finishes them). */
  abort(immediate?: boolean): void;
  readonly concurrency: number;
  readonly paused: boolean;
  /** Resolves when the run ends, with the same summary as the `run-end` event. */
  readonly done: Promise<RunSummary>;
}
