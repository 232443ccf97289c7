import type { RunHandle } from '../executor/events.js';
import type { Plan } from '../planner/plan-schema.js';
import type { Topology } from '../topology/types.js';

/**
 * Everything the UI needs from the outside world. The UI never talks to Redis: the CLI gives it a
 * controller backed by the topology reader, the executor and the plan writer; component tests give
 * it a scripted one.
 */
export interface TuiController {
  /** Seed address, for titles. */
  readonly seed: string;
  /** How runs will be started (concurrency, limits), shown in the confirmation. */
  readonly settings: string;
  /** Read the cluster (with per-slot key counts). */
  readTopology(): Promise<Topology>;
  /** Start applying a plan; the run goes on by itself and the UI subscribes to it. */
  startRun(plan: Plan): RunHandle;
  /** Write the plan to a file; returns the path written. */
  savePlan(plan: Plan): string;
}

/** How the TUI ended, for the command's exit code and its last line. */
export interface TuiOutcome {
  readonly summary: import('../executor/events.js').RunSummary | null;
  readonly journal: string | null;
}
