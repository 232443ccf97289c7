import { classifyRedisError, errorLine, type RedisErrorCode } from '../redis/errors.js';
import { quoteKey, type KeyName } from '../redis/key-name.js';
import type { BatchSizer } from './batch-sizer.js';
import { batchByTag } from './tag-batches.js';
import { settleBusyKeys } from './busy-keys.js';
import type { ClusterAdmin, MigrateOptions } from './cluster-admin.js';
import type { ExecutorEvent, SlotPhase } from './events.js';

/** A slot that could not be moved, with why and where it stopped (what `resume`/`fix` will find). */
export class SlotMigrationError extends Error {
  override readonly name = 'SlotMigrationError';
  constructor(
    readonly slot: number,
    readonly from: string,
    readonly to: string,
    readonly code: RedisErrorCode | 'INTERRUPTED',
    readonly phase: SlotPhase,
    reason: string,
  ) {
    super(reason);
  }
}

/** Everything a slot move needs from the run around it. */
export interface SlotContext {
  readonly admin: ClusterAdmin;
  readonly sizer: BatchSizer;
  readonly emit: (event: ExecutorEvent) => void;
  readonly replace: boolean;
  readonly migrateTimeoutMs: number;
  /** True once a second Ctrl-C asked to stop at once: leave the slot open, `resume` finishes it. */
  readonly stopNow: () => boolean;
  /** Told of each MIGRATE as it is sent, so the run can sample the source's server-side cost. */
  readonly onMigrateSent?: (from: string, keys: number) => void;
  /** Moved keys are counted here per node, for node-rate events. */
  readonly countKeys: (from: string, to: string, keys: number) => void;
  /** Whether each closed slot's new owner is also sent to every other master (see othersNeedTelling). */
  readonly tellOthers: boolean;
}

/**
 * Whether the masters other than a slot's source and target must be told its new owner directly.
 * They learn it anyway: the target's claim bumps its config epoch and broadcasts it on the cluster
 * bus at once, and a node takes a claim whose epoch is higher than the slot's owner's. That holds
 * when no source of the plan is also a target in it: a target's new epoch is then above every
 * source's, which it has known since before the run. A node that both claims and gives slots could
 * tie with the epoch of the node it takes from, and a third master would keep the old owner until
 * the tie is resolved by gossip: only then is the direct SETSLOT needed. On 16 masters telling the
 * 14 others cost the run 14 SETSLOTs per slot: measured without them (12 + 4 under load, alternating,
 * 3 runs each) the run took 5–14% less time, slotpilot 12–18% less CPU and the nodes 4–12% less.
 */
export function othersNeedTelling(moves: readonly { readonly from: string; readonly to: string }[]): boolean {
  const targets = new Set(moves.map((m) => m.to));
  return moves.some((m) => targets.has(m.from));
}

/** A GETKEYSINSLOT sent ahead (or already answered), with the count it asked for. */
export interface Prefetched {
  readonly count: number;
  readonly keys: Promise<KeyName[]> | KeyName[];
}

/**
 * Keys asked per GETKEYSINSLOT, in batches: a typical slot comes whole in one fetch, so its batches
 * can keep each hash tag's keys together (see tag-batches.ts).
 */
export const FETCH_BATCHES = 4;

/** How many keys the next GETKEYSINSLOT of `m`'s source asks for. */
function fetchCount(ctx: SlotContext, m: SlotMove): number {
  return ctx.sizer.next(m.from, bytesPerKey(m)) * FETCH_BATCHES;
}

/** What a key loop did: keys moved, and the close-time check sent behind its last MIGRATE (if it was sent). */
export interface KeyLoopResult {
  readonly moved: number;
  readonly check: Promise<boolean | null> | null;
}

/** Ask the source whether it still migrates `m`'s slot to its target (see ClusterAdmin.stillMigrating). */
export function stillMigrating(ctx: SlotContext, m: SlotMove): Promise<boolean | null> {
  return ctx.admin.stillMigrating(m.from, m.slot, m.to).catch(() => null);
}

/** A slot's first batch, already answered (fetched in the opening burst). */
export type FirstBatch = Prefetched & { readonly keys: KeyName[] };

/** Send GETKEYSINSLOT for the slot's next keys now; the reply is awaited later. */
function prefetchKeys(ctx: SlotContext, m: SlotMove): Prefetched {
  const count = fetchCount(ctx, m);
  const keys = ctx.admin.getKeysInSlot(m.from, m.slot, count, true);
  keys.catch(() => {}); // awaited (and reported) by the key loop; never an unhandled rejection
  return { count, keys };
}

export interface SlotMove {
  readonly slot: number;
  readonly from: string;
  readonly to: string;
  /** `assign`: the target already owns it, only the SETSLOT NODE steps remain. */
  readonly action: 'move' | 'assign';
  /** The plan's key estimate, when there is one (announced in `slot-start`). */
  readonly keys?: number;
  /** The plan's byte estimate: sizes a source's first batches before any MIGRATE was timed. */
  readonly bytes?: number;
}

/** Bytes per key by the plan's estimate, when it has one. */
const bytesPerKey = (m: SlotMove): number | undefined => (m.keys && m.bytes ? m.bytes / m.keys : undefined);

const RETRY_TIMEOUT_FACTOR = 6;
/** Below this a key that times out points at the target, not at the key's size. */
const SMALL_KEY_BYTES = 1024 * 1024;

/** MIGRATE one batch; a timeout retries key by key with a longer timeout and names the key that is too big. */
async function migrateBatch(ctx: SlotContext, m: SlotMove, keys: readonly KeyName[]): Promise<void> {
  const opts = { timeoutMs: ctx.migrateTimeoutMs, replace: ctx.replace };
  try {
    await ctx.admin.migrate(m.from, m.to, keys, opts);
    return;
  } catch (error) {
    const code = classifyRedisError(error);
    if (code === 'BUSYKEY') return settleOrFail(ctx, m, keys, opts);
    if (code !== 'TIMEOUT' && code !== 'IOERR') throw new SlotMigrationError(m.slot, m.from, m.to, code, 'keys', explainRoleChange(errorLine(error)));
  }
  const longer = { ...opts, timeoutMs: ctx.migrateTimeoutMs * RETRY_TIMEOUT_FACTOR };
  for (const key of keys) {
    try {
      await ctx.admin.migrate(m.from, m.to, [key], longer);
    } catch (error) {
      const code = classifyRedisError(error);
      // After a timeout the target may already hold the key it was restoring: the same value is
      // overwritten (busy-keys.ts), a different one only with --replace.
      if (code === 'BUSYKEY') {
        await settleOrFail(ctx, m, [key], longer);
        continue;
      }
      const bytes = await ctx.admin.keyBytes(m.from, key).catch(() => null);
      const size = bytes === null ? '' : ` (${bytes} bytes)`;
      const within = `key ${quoteKey(key)}${size} did not move within ${longer.timeoutMs / 1000} s`;
      // A small key that cannot move in that time says the target is stuck, not the key too big. The
      // target may still finish restoring it after the source gave up: resume finds that copy there
      // and overwrites it, the same value (busy-keys.ts).
      const why =
        bytes !== null && bytes < SMALL_KEY_BYTES
          ? `${within}: the target did not answer in time (paused, overloaded or unreachable?); it may have stored the key anyway: resume overwrites that copy if it still matches the source's, else use --replace`
          : within;
      throw new SlotMigrationError(m.slot, m.from, m.to, code, 'keys', `${why} (${errorLine(error)})`);
    }
  }
}

/** A BUSYKEY of `keys`, settled (busy-keys.ts) or the slot's failure. */
async function settleOrFail(ctx: SlotContext, m: SlotMove, keys: readonly KeyName[], opts: MigrateOptions): Promise<void> {
  const conflict = await settleBusyKeys(ctx, m, keys, opts).catch((error: unknown) => {
    throw slotError(m, 'keys', error);
  });
  if (conflict !== null) throw new SlotMigrationError(m.slot, m.from, m.to, 'BUSYKEY', 'keys', conflict);
}

/** A Redis (or connection) error of `m`'s `phase` as the slot's failure. */
function slotError(m: SlotMove, phase: SlotPhase, error: unknown): SlotMigrationError {
  if (error instanceof SlotMigrationError) return error;
  return new SlotMigrationError(m.slot, m.from, m.to, classifyRedisError(error), phase, explainRoleChange(errorLine(error)));
}

async function step<T>(m: SlotMove, phase: SlotPhase, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw slotError(m, phase, error);
  }
}

/**
 * A node that answers like a replica (SETSLOT refused, READONLY, or MOVED for a slot it was moving)
 * has lost its master role under the run: say so, since the raw reply does not.
 */
function explainRoleChange(reason: string): string {
  if (!/only with masters|^READONLY|^MOVED/.test(reason)) return reason;
  return `${reason} (the node is no longer the slot's master: a failover? slotpilot resume continues from the new master)`;
}

function interrupted(m: SlotMove, p: SlotPhase): SlotMigrationError {
  return new SlotMigrationError(m.slot, m.from, m.to, 'INTERRUPTED', p, 'stopped at once by a second interrupt; slotpilot resume finishes it');
}

/**
 * The per-slot protocol (DESIGN.md) as separate steps, so a run can take many slots through each
 * step together: concurrent SETSLOTs to one node arrive in one pipeline and cost one config save,
 * and no SETSLOT (with its fsync) stalls the nodes while keys move.
 */
export const slotSteps = {
  /** Count the keys and announce the slot. Returns the key count at start. */
  async begin(ctx: SlotContext, m: SlotMove): Promise<number> {
    // The plan's estimate spares a round trip per slot; the authoritative count is `recount`.
    const keys = m.action !== 'move' ? 0 : (m.keys ?? (await step(m, 'pending', () => ctx.admin.countKeysInSlot(m.from, m.slot))));
    ctx.emit({ type: 'slot-start', t: Date.now(), slot: m.slot, from: m.from, to: m.to, keys });
    return keys;
  },
  /** 1. target IMPORTING — first, so the source never redirects to a target that would refuse. */
  async importing(ctx: SlotContext, m: SlotMove): Promise<void> {
    ctx.emit({ type: 'slot-phase', t: Date.now(), slot: m.slot, phase: 'importing' });
    await step(m, 'importing', () => ctx.admin.setSlot(m.to, m.slot, 'IMPORTING', m.from));
  },
  /** 2. source MIGRATING. */
  async migrating(ctx: SlotContext, m: SlotMove): Promise<void> {
    ctx.emit({ type: 'slot-phase', t: Date.now(), slot: m.slot, phase: 'migrating' });
    await step(m, 'migrating', () => ctx.admin.setSlot(m.from, m.slot, 'MIGRATING', m.to));
  },
  /**
   * 3. the key loop; returns keys moved. The caller runs one key loop per source at a time: MIGRATE
   * holds the source's only thread, and keys of different slots cannot share one MIGRATE (CROSSSLOT).
   * `first` is the slot's first keys (fetched when the slot was opened, up to FETCH_BATCHES batches),
   * moved in batches that keep each hash tag together. Behind the last MIGRATE of a full fetch goes
   * the next GETKEYSINSLOT (Redis answers it once that MIGRATE is done: one round trip, not two),
   * behind the slot's very last one the close-time check (is the source still migrating it?).
   */
  async keys(ctx: SlotContext, m: SlotMove, first: FirstBatch): Promise<KeyLoopResult> {
    ctx.emit({ type: 'slot-phase', t: Date.now(), slot: m.slot, phase: 'keys' });
    let moved = 0;
    let next: Prefetched = first;
    let check: Promise<boolean | null> | null = null;
    // Once the source is MIGRATING, its key set in the slot only shrinks (new keys are sent to the
    // target with ASK), so a short fetch means the slot is empty after it: no extra round trip.
    for (;;) {
      if (ctx.stopNow()) throw interrupted(m, 'keys');
      const { count, keys: pending } = next;
      const keys = Array.isArray(pending) ? pending : await step(m, 'keys', () => pending);
      if (!keys.length) break;
      const drained = keys.length < count;
      const batches = batchByTag(keys, ctx.sizer.next(m.from, bytesPerKey(m)));
      for (const [i, batch] of batches.entries()) {
        if (i > 0 && ctx.stopNow()) throw interrupted(m, 'keys');
        const started = performance.now();
        const sent = migrateBatch(ctx, m, batch);
        ctx.onMigrateSent?.(m.from, batch.length);
        if (i === batches.length - 1) {
          if (drained) check = stillMigrating(ctx, m);
          else next = prefetchKeys(ctx, m);
        }
        await sent;
        const ms = performance.now() - started;
        moved += batch.length;
        ctx.countKeys(m.from, m.to, batch.length);
        ctx.emit({ type: 'slot-progress', t: Date.now(), slot: m.slot, moved, bytes: 0, batch: batch.length, batchMs: Math.round(ms * 100) / 100 });
      }
      if (drained) break;
    }
    return { moved, check };
  },
  /**
   * The first batch of keys once the source is MIGRATING (authoritative: no key can be added there
   * any more, so an empty answer means the slot is empty).
   */
  async firstKeys(ctx: SlotContext, m: SlotMove): Promise<FirstBatch> {
    const count = fetchCount(ctx, m);
    return { count, keys: await step(m, 'migrating', () => ctx.admin.getKeysInSlot(m.from, m.slot, count)) };
  },
  /** 4. target NODE — first: if anything dies now, the slot still has an owner that holds its keys. */
  async assignTarget(ctx: SlotContext, m: SlotMove): Promise<void> {
    if (ctx.stopNow()) throw interrupted(m, m.action === 'move' ? 'keys' : 'assigning');
    ctx.emit({ type: 'slot-phase', t: Date.now(), slot: m.slot, phase: 'assigning' });
    await step(m, 'assigning', () => ctx.admin.setSlot(m.to, m.slot, 'NODE', m.to));
  },
  /**
   * 4. for the moved slots of one target at once (a round's closing slots): one claim transaction
   * (see claim-slots.ts) instead of one SETSLOT, epoch bump and broadcast per slot (a lone slot gets
   * its plain SETSLOT NODE). Per slot, null or why its claim failed.
   */
  async assignTargets(ctx: SlotContext, target: string, ms: readonly SlotMove[]): Promise<(SlotMigrationError | null)[]> {
    if (ctx.stopNow()) return ms.map((m) => interrupted(m, 'keys'));
    const t = Date.now();
    for (const m of ms) ctx.emit({ type: 'slot-phase', t, slot: m.slot, phase: 'assigning' });
    const claimed = await ctx.admin.claimSlots(
      target,
      ms.map((m) => m.slot),
    ).catch((error: Error) => ms.map(() => error));
    return claimed.map((error, i) => (error ? slotError(ms[i]!, 'assigning', error) : null));
  },
  /**
   * 5. source NODE, and 6. every other master when the plan needs it (othersNeedTelling): they learn
   * it from the target's claim anyway, so it is sent but not waited for, and its failures do not fail
   * the slot.
   */
  async assignRest(ctx: SlotContext, m: SlotMove): Promise<void> {
    if (ctx.tellOthers) for (const id of ctx.admin.masters) if (id !== m.from && id !== m.to) void ctx.admin.setSlot(id, m.slot, 'NODE', m.to).catch(() => undefined);
    await step(m, 'assigning', () =>
      ctx.admin.setSlot(m.from, m.slot, 'NODE', m.to).catch(async (error: unknown) => {
        // A master that has just lost its last slot to a node that gossiped the claim first turns
        // into that node's replica (cluster-allow-replica-migration): it holds nothing, the target
        // owns the slot, so there is nothing left to assign on it. Caught a little later, it is
        // loading its new master's data and answers LOADING: the same, once ROLE says replica (a
        // master loading after a restart is not, and the slot fails for resume).
        const message = String((error as Error)?.message);
        if (/only with masters/i.test(message)) return;
        if (/^LOADING/.test(message) && (await ctx.admin.role?.(m.from).catch(() => null)) === 'replica') return;
        throw error;
      }),
    );
  },
};
