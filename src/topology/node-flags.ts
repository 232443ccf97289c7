import type { NodeFlag } from './types.js';

/**
 * Flags under which a node is not a full, trusted member: failing (`fail`), suspected by the node
 * that reports it (`fail?`), still being introduced (`handshake`) or without an address (`noaddr`).
 */
export const SUSPECT_FLAGS: readonly NodeFlag[] = ['fail', 'fail?', 'handshake', 'noaddr'];

/** Whether `n` carries one of SUSPECT_FLAGS. */
export function isSuspect(n: { readonly flags: readonly NodeFlag[] }): boolean {
  return n.flags.some((f) => SUSPECT_FLAGS.includes(f));
}
