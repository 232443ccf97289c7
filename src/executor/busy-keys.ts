import { classifyRedisError } from '../redis/errors.js';
import type { MigrateOptions } from './cluster-admin.js';
import type { SlotContext, SlotMove } from './move-slot.js';

/** Above this a copy is not compared (the digest script reads all of a key, holding the node): the admin decides. */
const COMPARE_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Keys of `keys` on both ends of `m`. MIGRATE moves (and deletes on the source) every key of the
 * batch the target accepted, so a key on the target alone has just moved: only a key on both is a
 * conflict. Naming a moved one would invite the admin to delete the only copy from the target.
 */
async function onBothEnds(ctx: SlotContext, m: SlotMove, keys: readonly string[]): Promise<string[]> {
  const onTarget = await ctx.admin.existingKeys(m.to, keys).catch(() => [] as string[]);
  const onSource = new Set(await ctx.admin.existingKeys(m.from, onTarget).catch(() => onTarget));
  return onTarget.filter((k) => onSource.has(k));
}

/** The failure reason of a BUSYKEY: the first key on both ends. */
export async function describeBusyKey(ctx: SlotContext, m: SlotMove, keys: readonly string[]): Promise<string> {
  const existing = await onBothEnds(ctx, m, keys);
  const name = existing[0] ?? keys[0] ?? '?';
  return `key "${name}" already exists on the target${existing.length > 1 ? ` (and ${existing.length - 1} more)` : ''}; rerun with --replace to overwrite, or remove it from the target`;
}

/**
 * After a BUSYKEY, overwrite the target's copies that hold the source's value exactly. A MIGRATE
 * whose reply was lost (the source timed out, or slotpilot closed a connection that stopped
 * answering) leaves them, and no client can have written to them: the source still has the key, so
 * it serves the key itself and never sends an ASK for it. Overwriting such a copy changes nothing; a
 * different one is left for the admin (--replace).
 * Returns whether any was overwritten (the batch is then worth a second try).
 */
export async function replaceSameCopies(ctx: SlotContext, m: SlotMove, keys: readonly string[], opts: MigrateOptions): Promise<boolean> {
  const both = await onBothEnds(ctx, m, keys);
  const small = await Promise.all(both.map(async (k) => ((await ctx.admin.keyBytes(m.from, k).catch(() => null)) ?? Infinity) <= COMPARE_MAX_BYTES));
  const same = await ctx.admin.sameCopies(m.from, m.to, both.filter((_, i) => small[i])).catch(() => [] as string[]);
  if (!same.length) return false;
  await ctx.admin.migrate(m.from, m.to, same, { ...opts, replace: true });
  ctx.emit({ type: 'same-copy', t: Date.now(), slot: m.slot, from: m.from, to: m.to, keys: same.length, key: same[0]! });
  return true;
}

/**
 * MIGRATE `keys`; a BUSYKEY caused only by copies identical to the source's is cleared and the batch
 * sent again. Any other error (a second BUSYKEY included) is the caller's.
 */
export async function migrateClearingSameCopies(ctx: SlotContext, m: SlotMove, keys: readonly string[], opts: MigrateOptions): Promise<void> {
  try {
    await ctx.admin.migrate(m.from, m.to, keys, opts);
  } catch (error) {
    if (opts.replace || classifyRedisError(error) !== 'BUSYKEY') throw error;
    if (!(await replaceSameCopies(ctx, m, keys, opts))) throw error;
    await ctx.admin.migrate(m.from, m.to, keys, opts);
  }
}
