import { SLOT_COUNT } from '../topology/types.js';

/**
 * Fold 16,384 slots into `cells` cells (the terminal has far fewer columns than slots). Each cell
 * shows the value most of its slots have, so a small master stays visible as long as it owns a
 * cell's worth of slots. Pure, so the map is tested without a terminal.
 */
export function foldSlots<T>(valueOf: (slot: number) => T, cells: number): T[] {
  const n = Math.max(1, Math.min(SLOT_COUNT, Math.floor(cells)));
  const out: T[] = [];
  for (let c = 0; c < n; c++) {
    const start = Math.floor((c * SLOT_COUNT) / n);
    const end = Math.floor(((c + 1) * SLOT_COUNT) / n);
    const counts = new Map<T, number>();
    let best = valueOf(start);
    let bestCount = 0;
    for (let s = start; s < end; s++) {
      const v = valueOf(s);
      const k = (counts.get(v) ?? 0) + 1;
      counts.set(v, k);
      if (k > bestCount) {
        best = v;
        bestCount = k;
      }
    }
    out.push(best);
  }
  return out;
}

/** Run-time state of a planned slot, for the execution map. `idle` = not in the plan. */
export type SlotRunState = 'idle' | 'pending' | 'flight' | 'done' | 'failed';

/**
 * The execution map folds by priority rather than majority: one failed slot must show even inside a
 * cell of done ones, and an in-flight slot before pending ones.
 */
const PRIORITY: Record<SlotRunState, number> = { idle: 0, done: 1, pending: 2, flight: 3, failed: 4 };

export function foldRunStates(stateOf: (slot: number) => SlotRunState, cells: number): SlotRunState[] {
  const n = Math.max(1, Math.min(SLOT_COUNT, Math.floor(cells)));
  const out: SlotRunState[] = [];
  for (let c = 0; c < n; c++) {
    const start = Math.floor((c * SLOT_COUNT) / n);
    const end = Math.floor(((c + 1) * SLOT_COUNT) / n);
    let best: SlotRunState = 'idle';
    for (let s = start; s < end; s++) {
      const v = stateOf(s);
      if (PRIORITY[v] > PRIORITY[best]) best = v;
    }
    out.push(best);
  }
  return out;
}

/** Letters for masters in the map and legend: readable without colour too. */
export const MASTER_MARKS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Colours for masters, cycled. */
export const MASTER_COLORS = ['cyan', 'magenta', 'yellow', 'green', 'blue', 'red', 'cyanBright', 'magentaBright', 'yellowBright', 'greenBright', 'blueBright', 'redBright'] as const;

/** Mark and colour of the i-th master (sorted by address), with `?` past the alphabet. */
export function masterStyle(i: number): { mark: string; color: string } {
  return { mark: MASTER_MARKS[i] ?? '?', color: MASTER_COLORS[i % MASTER_COLORS.length]! };
}
