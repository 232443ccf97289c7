import type { Move } from './plan-schema.js';

/**
 * The cost model behind `estimatedSeconds` (also documented in docs/commands.md, plan):
 *
 *   seconds = slots × SLOT_FIXED_MS / 1000 + keys / KEYS_PER_SECOND
 *
 * SLOT_FIXED_MS is the protocol cost of one slot (four SETSLOT round trips, config saves) as seen
 * across the whole run with slots moving in parallel and SETSLOTs pipelined; KEYS_PER_SECOND is the
 * aggregate MIGRATE throughput of a run with default settings. Both come from `npm run bench` on the
 * reference 2-core machine (3 masters + 1 empty, 1M 100-byte keys); they are estimates, and the
 * execution view shows the measured rate once the run starts.
 */
export const SLOT_FIXED_MS = 0.25;
export const KEYS_PER_SECOND = 120_000;

export function estimateSeconds(moves: readonly Pick<Move, 'keys'>[]): number {
  const keys = moves.reduce((sum, m) => sum + m.keys, 0);
  const seconds = (moves.length * SLOT_FIXED_MS) / 1000 + keys / KEYS_PER_SECOND;
  return Math.round(seconds * 10) / 10;
}
