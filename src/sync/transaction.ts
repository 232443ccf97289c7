import type { SlotPart } from './route-command.js';

/**
 * What a MULTI … EXEC of the stream becomes: one transaction on the master of its only slot
 * (atomic, as on the source), or, when its keys span slots, its commands one by one in order
 * (counted: a cluster cannot run a cross-slot transaction). An empty one (every command skipped)
 * is nothing. Pure.
 */
export type TransactionPlan =
  | { readonly kind: 'empty' }
  | { readonly kind: 'atomic'; readonly slot: number; readonly raw: Buffer; readonly commands: number }
  | { readonly kind: 'split'; readonly parts: readonly SlotPart[] };

const MULTI = Buffer.from('*1\r\n$5\r\nMULTI\r\n');
const EXEC = Buffer.from('*1\r\n$4\r\nEXEC\r\n');

/** Plan a transaction from the parts of its commands, in order. */
export function planTransaction(parts: readonly SlotPart[]): TransactionPlan {
  if (!parts.length) return { kind: 'empty' };
  const slot = parts[0]!.slot;
  if (parts.every((p) => p.slot === slot)) {
    if (parts.length === 1) return { kind: 'split', parts };
    return { kind: 'atomic', slot, raw: Buffer.concat([MULTI, ...parts.map((p) => p.raw), EXEC]), commands: parts.length + 2 };
  }
  return { kind: 'split', parts };
}
