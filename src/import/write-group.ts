import type { DigestPipeline, ImportTarget } from './preflight.js';
import { quoteKey } from '../redis/key-name.js';
import { classifyRestoreReplies, parseDumpReply } from './route-keys.js';
import { encodeRestores } from './restore-commands.js';
import type { ImportSource } from './source.js';
import type { DumpedKey, ImportMode } from './types.js';

/** How keys are written: the parts of ImportOptions this module needs. */
export interface WriteRules {
  readonly mode: ImportMode;
  readonly replace: boolean;
  /** AUTH arguments of MIGRATE so the source can log in to the cluster (never printed). */
  readonly migrateAuth: readonly string[];
  /** RESTORE's TTL argument is an absolute time in ms (ABSTTL: keys from a file), not a remaining TTL. */
  readonly absoluteTtl?: boolean;
}

/**
 * Settles BUSYKEY: canonical digests of the keys as the source has them and as their owner holds
 * them (digest.ts, value-digest.ts). Equal is "already present", anything else a conflict.
 */
export interface ValueComparer<K extends DumpedKey = DumpedKey> {
  sourceDigests(entries: readonly K[]): Promise<readonly (string | null)[]>;
  targetDigests(target: ImportTarget, keys: readonly Buffer[]): Promise<readonly (string | null)[]>;
}

/** Digests by the digest script on both sides: a live source (import --from). */
export function liveComparer(source: ImportSource): ValueComparer {
  return {
    sourceDigests: (entries) => source.digestKeys(entries.map((e) => e.key)),
    targetDigests: async (target, keys) => {
      const digests = target.client.pipeline() as DigestPipeline;
      for (const k of keys) digests.digestKeys(1, k);
      return ((await digests.exec()) ?? []).map(([error, value]) => (error ? null : ((value as (string | null)[])[0] ?? null)));
    },
  };
}

/** MIGRATE's I/O timeout: how long the source waits on the target before giving up (not the total time). */
const MIGRATE_TIMEOUT_MS = 10_000;

/** One master's share of a batch, after the cluster answered. */
export interface GroupResult {
  /** Keys this run wrote to the cluster. */
  readonly written: readonly Buffer[];
  /** Keys the cluster already held with the same value. */
  readonly present: number;
  readonly conflicts: readonly Buffer[];
  /** Keys gone from the source before they could be read. */
  readonly vanished: number;
  /** Move mode: keys the cluster now holds that are still on the source (to delete if unchanged). */
  readonly toDelete: readonly DumpedKey[];
  /** Move mode: keys MIGRATE already deleted from the source. */
  readonly deletedBySource: number;
  readonly failure: string | null;
  /** False when the counts are uncertain: after a copy-mode MIGRATE hit BUSYKEY, `present` also holds keys it wrote. */
  readonly exact: boolean;
}

const NOTHING: GroupResult = { written: [], present: 0, conflicts: [], vanished: 0, toDelete: [], deletedBySource: 0, failure: null, exact: true };

/**
 * RESTORE keys read from the source on their owner, one pipeline. BUSYKEY is then settled key by key:
 * the same value (a re-run after an interruption) is "present", anything else a conflict.
 */
export async function restoreGroup<K extends DumpedKey>(rules: WriteRules, compare: ValueComparer<K>, target: ImportTarget, entries: readonly K[]): Promise<GroupResult> {
  const restoreArgs = [...(rules.replace ? ['REPLACE'] : []), ...(rules.absoluteTtl ? ['ABSTTL'] : [])];
  let replies: [Error | null, unknown][];
  if (target.pipe) replies = await target.pipe.callEncoded(encodeRestores(entries, restoreArgs), entries.length);
  else {
    const pipeline = target.client.pipeline();
    for (const e of entries) pipeline.restore(e.key, e.ttlMs, e.payload, ...(restoreArgs as []));
    replies = ((await pipeline.exec()) ?? []) as [Error | null, unknown][];
  }
  const outcome = classifyRestoreReplies(entries, replies);
  const present: K[] = [];
  const conflicts: K[] = [];
  if (outcome.busy.length) {
    // BUSYKEY: the same value (a re-run after an interruption) is not a conflict; anything else is.
    // Same DUMP bytes settle it at once; otherwise compare canonical digests (sets and large hashes
    // serialise in a per-process order, so equal values can have different payloads).
    const check = target.client.pipeline();
    for (const e of outcome.busy) check.dumpBuffer(e.key);
    const dumps = (await check.exec()) ?? [];
    const unsure: K[] = [];
    outcome.busy.forEach((e, i) => {
      const [error, value] = dumps[i] ?? [];
      if (!error && Buffer.isBuffer(value) && value.equals(e.payload)) present.push(e);
      else unsure.push(e);
    });
    if (unsure.length) {
      const [theirs, ours] = await Promise.all([compare.targetDigests(target, unsure.map((e) => e.key)), compare.sourceDigests(unsure)]);
      unsure.forEach((e, i) => {
        const digest = theirs[i] ?? null;
        if (digest !== null && digest === ours[i]) present.push(e);
        else conflicts.push(e);
      });
    }
  }
  const first = outcome.failed[0];
  return {
    written: outcome.restored.map((e) => e.key),
    present: present.length,
    conflicts: conflicts.map((e) => e.key),
    vanished: 0,
    toDelete: [...outcome.restored, ...present],
    deletedBySource: 0,
    exact: true,
    failure: first ? `${target.addr}: RESTORE of ${quoteKey(first.entry.key)} failed: ${first.reason}${outcome.failed.length > 1 ? ` (and ${outcome.failed.length - 1} more)` : ''}` : null,
  };
}

/** DUMP on the source (one script call), RESTORE on the owner. */
export async function restoreKeys(rules: WriteRules, source: ImportSource, target: ImportTarget, keys: readonly Buffer[]): Promise<GroupResult> {
  const { dumped, vanished } = parseDumpReply(keys, await source.dumpKeys(keys));
  const r = await restoreGroup(rules, liveComparer(source), target, dumped);
  return { ...r, vanished: r.vanished + vanished };
}

/**
 * The source MIGRATEs the keys to their owner itself. A BUSYKEY reply does not say which key was
 * busy, and the target has applied every other key by then: the keys still on the source go through
 * the DUMP/RESTORE path, which names conflicts and recognises identical values. In move mode keys
 * already gone from the source were moved by this MIGRATE.
 */
export async function migrateKeys(rules: WriteRules, source: ImportSource, target: ImportTarget, keys: readonly Buffer[]): Promise<GroupResult> {
  const [host, port] = [target.addr.slice(0, target.addr.lastIndexOf(':')), target.addr.slice(target.addr.lastIndexOf(':') + 1)];
  const flags = [...(rules.mode === 'copy' ? ['COPY'] : []), ...(rules.replace ? ['REPLACE'] : []), ...rules.migrateAuth];
  try {
    const reply = String(await source.client.call('MIGRATE', host, port, '', '0', String(MIGRATE_TIMEOUT_MS), ...flags, 'KEYS', ...(keys as Buffer[])));
    if (reply === 'NOKEY') return { ...NOTHING, vanished: keys.length };
    return { ...NOTHING, written: keys, deletedBySource: rules.mode === 'move' ? keys.length : 0 };
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    if (!/BUSYKEY/.test(message)) {
      // The source itself connects to the cluster: an address it cannot reach is the usual cause.
      const hint = /IOERR|timeout|connect/i.test(message) ? ` (can ${source.addr} reach ${target.addr}? --method restore sends the data through slotpilot instead)` : '';
      return { ...NOTHING, failure: `${target.addr}: MIGRATE from ${source.addr} failed: ${message.split('\n')[0]}${hint}` };
    }
    const { dumped, vanished } = parseDumpReply(keys, await source.dumpKeys(keys));
    const still = new Set(dumped.map((e) => e.key.toString('latin1')));
    const movedAlready = rules.mode === 'move' ? keys.filter((k) => !still.has(k.toString('latin1'))) : [];
    const r = await restoreGroup(rules, liveComparer(source), target, dumped);
    return {
      ...r,
      written: [...movedAlready, ...r.written],
      vanished: rules.mode === 'move' ? 0 : vanished,
      deletedBySource: movedAlready.length,
      // In copy mode "present" now also counts keys this MIGRATE wrote: the count check can only bound.
      exact: rules.mode === 'move',
    };
  }
}
