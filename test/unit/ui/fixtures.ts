/**
 * Fake clusters and a scripted executor for the UI's component tests: no Redis, no timers of their
 * own. Topologies come from the real `CLUSTER NODES` parser, so they look exactly like read ones.
 */
import { expect, vi } from 'vitest';
import type { ExecutorEvent, EventListener, RunHandle, RunSummary } from '../../../src/executor/events.js';
import type { Plan } from '../../../src/planner/plan-schema.js';
import { topologyFromClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';
import { SLOT_COUNT, type Topology } from '../../../src/topology/types.js';
import type { TuiController } from '../../../src/ui/controller.js';

export const A = 'a'.repeat(40);
export const B = 'b'.repeat(40);
export const C = 'c'.repeat(40);
export const D = 'd'.repeat(40);
export const R = 'e'.repeat(40);

/** Three loaded masters (one with a replica) and one empty master just joined. */
export const FOUR_MASTERS = [
  `${A} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected 0-5460`,
  `${B} 127.0.0.1:7001@17001 master - 0 0 2 connected 5461-10922`,
  `${C} 127.0.0.1:7002@17002 master - 0 0 3 connected 10923-16383`,
  `${D} 127.0.0.1:7003@17003 master - 0 0 4 connected`,
  `${R} 127.0.0.1:7004@17004 slave ${A} 0 0 1 connected`,
].join('\n');

/** A live-looking topology: offline parse plus what the reader fills in (keys, memory, state). */
export function liveTopology(text = FOUR_MASTERS, keysPerSlot = 6, patch: Partial<Topology> = {}): Topology {
  const t = topologyFromClusterNodes(text, '127.0.0.1:7000');
  const slotKeys = new Array<number>(SLOT_COUNT).fill(keysPerSlot);
  return {
    ...t,
    readAt: '2026-01-01T00:00:00.000Z',
    slotKeys,
    nodes: t.nodes.map((n) => {
      const slots = n.slots.reduce((a, [x, y]) => a + y - x + 1, 0);
      const keys = n.role === 'master' ? slots * keysPerSlot : 0;
      return { ...n, reachable: true, clusterState: 'ok', keys, usedMemory: 1_000_000 + keys * 200 };
    }),
    ...patch,
  };
}

/** A run the test drives: it records the UI's steering and emits what the test tells it to. */
export class FakeRun implements RunHandle {
  readonly calls: string[] = [];
  concurrency = 512;
  paused = false;
  readonly done: Promise<RunSummary>;
  #listeners = new Set<EventListener>();
  #resolve!: (s: RunSummary) => void;
  #reject!: (e: unknown) => void;

  constructor() {
    this.done = new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  subscribe(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(...events: ExecutorEvent[]): void {
    for (const e of events) for (const l of this.#listeners) l(e);
  }

  /** End the run as the executor does: `run-end`, then `done` resolves. */
  finish(summary: RunSummary): void {
    this.emit({ type: 'run-end', t: Date.now(), summary });
    this.#resolve(summary);
  }

  /** Pre-flight refused: `done` rejects, no event. */
  refuse(error: Error): void {
    this.#reject(error);
  }

  pause(): void {
    this.calls.push('pause');
  }
  resume(): void {
    this.calls.push('resume');
  }
  setConcurrency(n: number): void {
    this.calls.push(`concurrency ${n}`);
    this.concurrency = n;
  }
  abort(immediate = false): void {
    this.calls.push(immediate ? 'abort now' : 'abort');
  }
}

/** A controller that answers from memory and records what the UI asked for. */
export class FakeController implements TuiController {
  readonly seed = '127.0.0.1:7000';
  readonly settings = 'concurrency 512, max 2 ms per MIGRATE';
  reads = 0;
  readonly started: Plan[] = [];
  readonly saved: Plan[] = [];
  readonly runs: FakeRun[] = [];

  constructor(public topology: Topology = liveTopology()) {}

  readTopology(): Promise<Topology> {
    this.reads++;
    return Promise.resolve(this.topology);
  }

  startRun(plan: Plan): RunHandle {
    this.started.push(plan);
    const run = new FakeRun();
    this.runs.push(run);
    return run;
  }

  savePlan(plan: Plan): string {
    this.saved.push(plan);
    return 'plan-saved.json';
  }
}

/** Key sequences as a terminal sends them. */
export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  shiftRight: '\u001B[1;2C',
  enter: '\r',
  escape: '\u001B',
  ctrlC: '\u0003',
} as const;

/**
 * Wait until Ink reads keys: it starts listening in an effect after the first frame, and a key
 * written before that is lost.
 */
export async function settle(stdin: { listenerCount(event: string): number }): Promise<void> {
  await vi.waitFor(() => expect(stdin.listenerCount('readable')).toBeGreaterThan(0));
}
