import { classifyRedisError } from '../redis/errors.js';
import { keyText, quoteKey, type KeyName } from '../redis/key-name.js';
import type { MigrateOptions } from './cluster-admin.js';
import type { SlotContext, SlotMove } from './move-slot.js';

/** Above this a copy is not compared (the digest script reads all of a key, holding the node): the admin decides. */
const COMPARE_MAX_BYTES = 8 * 1024 * 1024;

/**
 * Keys of `keys` on both ends of `m`. MIGRATE moves (and deletes on the source) every key of the
 * batch the target accepted, so a key on the target alone has just moved: only a key on both is a
 * conflict. Naming a moved one would invite the admin to delete the only copy from the target.
 */
async function onBothEnds(ctx: SlotContext, m: SlotMove, keys: readonly KeyName[]): Promise<KeyName[]> {
  // The admin answers with the very objects it was given, so a Set of them tells Buffers apart too.
  const onTarget = await ctx.admin.existingKeys(m.to, keys).catch(() => [] as KeyName[]);
  const onSource = new Set(await ctx.admin.existingKeys(m.from, onTarget).catch(() => onTarget));
  return onTarget.filter((k) => onSource.has(k));
}

/** The failure reason of a BUSYKEY: the first key on both ends (`existing`), else the batch's first. */
function busyReason(existing: readonly KeyName[], keys: readonly KeyName[]): string {
  const name = existing[0] ?? keys[0] ?? '?';
  return `key ${quoteKey(name)} already exists on the target${existing.length > 1 ? ` (and ${existing.length - 1} more)` : ''}; rerun with --replace to overwrite, or remove it from the target`;
}

/** Of `both` (on both ends), those small enough to compare whose target copy holds the source's value. */
async function sameCopies(ctx: SlotContext, m: SlotMove, both: readonly KeyName[]): Promise<KeyName[]> {
  const small = await Promise.all(both.map(async (k) => ((await ctx.admin.keyBytes(m.from, k).catch(() => null)) ?? Infinity) <= COMPARE_MAX_BYTES));
  return ctx.admin.sameCopies(m.from, m.to, both.filter((_, i) => small[i])).catch(() => [] as KeyName[]);
}

/**
 * Settle a BUSYKEY of `keys`: overwrite the target's copies that hold the source's value exactly,
 * then send the batch again. A MIGRATE whose reply was lost (the source timed out, or slotpilot
 * closed a connection that stopped answering) leaves such copies, and no client can have written to
 * them: the source still has the key, so it serves the key itself and never sends an ASK for it.
 * Overwriting such a copy changes nothing; a different one is left for the admin (--replace).
 * Returns null once the batch moved, else the slot's failure reason, naming a key on both ends.
 * Other errors (a MIGRATE that fails another way) are thrown.
 */
export async function settleBusyKeys(ctx: SlotContext, m: SlotMove, keys: readonly KeyName[], opts: MigrateOptions): Promise<string | null> {
  const both = await onBothEnds(ctx, m, keys);
  const same = opts.replace ? [] : await sameCopies(ctx, m, both);
  if (same.length) {
    await ctx.admin.migrate(m.from, m.to, same, { ...opts, replace: true });
    ctx.emit({ type: 'same-copy', t: Date.now(), slot: m.slot, from: m.from, to: m.to, keys: same.length, key: keyText(same[0]!) });
    try {
      await ctx.admin.migrate(m.from, m.to, keys, opts);
      return null;
    } catch (error) {
      if (classifyRedisError(error) !== 'BUSYKEY') throw error;
    }
  }
  const moved = new Set(same);
  return busyReason(both.filter((k) => !moved.has(k)), keys);
}
