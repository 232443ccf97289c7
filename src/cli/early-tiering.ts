import { setFlagsFromString } from 'node:v8';

/**
 * V8's interrupt budget for a slotpilot process: how much bytecode a function runs before V8
 * considers optimizing it (V8 11, in Node 20, defaults to 66 KB). A rebalance is a few seconds of many
 * functions each a little warm, and at the default TurboFan compiled ~340 of them per 1M-key run,
 * about 1.1 s of background-thread CPU (`--trace-opt`) on a machine whose cores the Redis nodes
 * need: a larger budget optimizes the few truly hot functions (the reply parser, the key loop) and
 * leaves the rest in the baseline tiers (`--trace-opt`: ~27 functions, 0.1 s). Measured on the w1
 * rebalance (3+1 masters, 1M keys, idle), hand runs: slotpilot's CPU about -12% (2.4–2.7 s against
 * 2.6–3.3 s at the default) with 0.5–1 MB, less gain at 2 MB; in `npm run bench` 2.33–2.44 s against
 * 2.54–2.62 s the stop before. `--no-opt` or Maglev only were slower.
 */
export const INTERRUPT_BUDGET = 1_000_000;

/**
 * The flag to set, or null: when the user set the budget already (NODE_OPTIONS or node's own
 * arguments), or on a V8 other than 11 (Node 20). V8 12 (Node 22) and 13 (Node 24) have no such flag
 * (setting it prints "unrecognized flag" on stderr): they tier up by invocation counts and have Maglev,
 * a cheaper optimizing tier, and were not measured here, so they keep their defaults.
 */
export function tieringFlag(execArgv: readonly string[], nodeOptions: string | undefined, v8Version: string): string | null {
  if (v8Version.split('.')[0] !== '11') return null;
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  if (given.some((a) => a.startsWith('--interrupt-budget') || a.startsWith('--interrupt_budget'))) return null;
  return `--interrupt-budget=${INTERRUPT_BUDGET}`;
}

// main.ts imports this before the CLI's modules load, so the functions they define get the budget
// (V8 flags are process-wide: the executor's worker thread too).
const flag = tieringFlag(process.execArgv, process.env.NODE_OPTIONS, process.versions.v8);
if (flag) setFlagsFromString(flag);
