import PQueue from 'p-queue';
import { classifyRedisError } from '../redis/errors.js';
import { isSampled } from './digest.js';
import type { DigestPipeline, ImportTarget, PreparedImport } from './preflight.js';
import { classifyRestoreReplies, parseDumpReply, routeKeys } from './route-keys.js';
import { verifyImport, type SampledKey } from './verify-import.js';
import type { DumpedKey, ImportEvent, ImportHandle, ImportMode, ImportSummary, VerifyReport } from './types.js';

export const DEFAULT_IMPORT_BATCH = 1000;
export const DEFAULT_IMPORT_IN_FLIGHT = 8;
export const DEFAULT_VERIFY_SAMPLE = 1000;
/** MIGRATE's I/O timeout: how long the source waits on the target before giving up (not the total time). */
const MIGRATE_TIMEOUT_MS = 10_000;
/** Conflicts named one by one in events; past this only the count grows (the run stops anyway). */
const MAX_CONFLICT_EVENTS = 20;

export interface ImportOptions {
  readonly mode: ImportMode;
  readonly replace: boolean;
  /** SCAN MATCH pattern, or null for every key. */
  readonly match: string | null;
  readonly db: number;
  /** SCAN COUNT: keys per batch (one TTL script on the source, then one MIGRATE or RESTORE pipeline per master). */
  readonly batch: number;
  /** Batches in flight at once, so the source always has the next batch's commands queued. */
  readonly inFlight: number;
  /** Keys compared after the run (0: skip the sampled comparison). */
  readonly verifySample: number;
  readonly journal: string | null;
  /**
   * `migrate`: the source sends keys itself (MIGRATE … KEYS, COPY in copy mode), so key data never
   * passes through this process, and a move deletes each key atomically once the target acknowledged
   * it. `restore`: DUMP on the source, RESTORE pipelined per master through this process (works where
   * the source cannot reach the cluster itself, e.g. TLS).
   */
  readonly method: 'migrate' | 'restore';
  /** AUTH arguments of MIGRATE so the source can log in to the cluster (never printed). */
  readonly migrateAuth: readonly string[];
}

/** One master's share of a batch, after the cluster answered. */
interface GroupResult {
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

/** A key with a TTL shorter than this may expire before verification, so the key count cannot be exact. */
const SHORT_TTL_MS = 60_000;

/** Mutable running totals; events carry copies. */
class Totals {
  scanned = 0;
  restored = 0;
  alreadyPresent = 0;
  deleted = 0;
  skipped = 0;
  changedOnSource = 0;
  conflicts = 0;
  scanCalls = 0;
  /** Whether the cluster's growth must equal `restored` (see GroupResult.exact and SHORT_TTL_MS). */
  exact = true;
  readonly perMaster: Record<string, number> = {};
}

/**
 * Run an import that `prepareImport` checked: SCAN the source in batches, read each batch's PTTL and
 * DUMP in one script call, route keys to their masters and RESTORE them there, one pipeline per master
 * per batch with several batches in flight. In move mode a key is deleted from the source only after
 * its RESTORE was acknowledged, and only if it did not change meanwhile. The first conflict or failure
 * (or `interrupt()`) stops new batches; batches in flight finish, so nothing is half done.
 */
export function startImport(prep: PreparedImport, options: ImportOptions): ImportHandle {
  const listeners = new Set<(event: ImportEvent) => void>();
  const emit = (event: ImportEvent): void => {
    for (const l of listeners) l(event);
  };
  const totals = new Totals();
  /** Keys chosen for the verification, with their digest on the source (capped: the choice is by hash, so only about verifySample). */
  const sample: SampledKey[] = [];
  let stoppedBy: ImportSummary['stoppedBy'] = null;
  let failed = false;
  const stop = (reason: NonNullable<ImportSummary['stoppedBy']>, message: string): void => {
    if (reason === 'failure' || reason === 'conflict') failed = true;
    if (stoppedBy) return;
    stoppedBy = reason;
    emit({ type: 'stopping', t: Date.now(), message });
  };
  const restoreArgs = options.replace ? ['REPLACE'] : [];

  async function restoreGroup(target: ImportTarget, entries: DumpedKey[]): Promise<GroupResult> {
    const pipeline = target.client.pipeline();
    for (const e of entries) pipeline.restore(e.key, e.ttlMs, e.payload, ...(restoreArgs as []));
    const outcome = classifyRestoreReplies(entries, ((await pipeline.exec()) ?? []) as [Error | null, unknown][]);
    const present: DumpedKey[] = [];
    const conflicts: DumpedKey[] = [];
    if (outcome.busy.length) {
      // BUSYKEY: the same value (a re-run after an interruption) is not a conflict; anything else is.
      // Same DUMP bytes settle it at once; otherwise compare canonical digests (sets and large hashes
      // serialise in a per-process order, so equal values can have different payloads).
      const check = target.client.pipeline();
      for (const e of outcome.busy) check.dumpBuffer(e.key);
      const dumps = (await check.exec()) ?? [];
      const unsure: DumpedKey[] = [];
      outcome.busy.forEach((e, i) => {
        const [error, value] = dumps[i] ?? [];
        if (!error && Buffer.isBuffer(value) && value.equals(e.payload)) present.push(e);
        else unsure.push(e);
      });
      if (unsure.length) {
        const digests = target.client.pipeline() as DigestPipeline;
        for (const e of unsure) digests.digestKeys(1, e.key);
        const [theirs, ours] = await Promise.all([digests.exec(), prep.source.digestKeys(unsure.map((e) => e.key))]);
        unsure.forEach((e, i) => {
          const [error, value] = theirs?.[i] ?? [];
          const digest = error ? null : ((value as (string | null)[])[0] ?? null);
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
      failure: first ? `${target.addr}: RESTORE of "${first.entry.key.toString()}" failed: ${first.reason}${outcome.failed.length > 1 ? ` (and ${outcome.failed.length - 1} more)` : ''}` : null,
    };
  }

  /** DUMP on the source, RESTORE on the owner. */
  async function restoreKeys(target: ImportTarget, keys: readonly Buffer[]): Promise<GroupResult> {
    const { dumped, vanished } = parseDumpReply(keys, await prep.source.dumpKeys(keys));
    const r = await restoreGroup(target, dumped);
    return { ...r, vanished: r.vanished + vanished };
  }

  /**
   * The source MIGRATEs the keys to their owner itself. A BUSYKEY reply does not say which key was
   * busy, and the target has applied every other key by then: the keys still on the source go through
   * the DUMP/RESTORE path, which names conflicts and recognises identical values. In move mode keys
   * already gone from the source were moved by this MIGRATE.
   */
  async function migrateKeys(target: ImportTarget, keys: readonly Buffer[]): Promise<GroupResult> {
    const [host, port] = [target.addr.slice(0, target.addr.lastIndexOf(':')), target.addr.slice(target.addr.lastIndexOf(':') + 1)];
    const flags = [...(options.mode === 'copy' ? ['COPY'] : []), ...(options.replace ? ['REPLACE'] : []), ...options.migrateAuth];
    try {
      const reply = String(await prep.source.client.call('MIGRATE', host, port, '', '0', String(MIGRATE_TIMEOUT_MS), ...flags, 'KEYS', ...(keys as Buffer[])));
      if (reply === 'NOKEY') return { ...NOTHING, vanished: keys.length };
      return { ...NOTHING, written: keys, deletedBySource: options.mode === 'move' ? keys.length : 0 };
    } catch (error) {
      const message = (error as Error).message ?? String(error);
      if (!/BUSYKEY/.test(message)) {
        // The source itself connects to the cluster: an address it cannot reach is the usual cause.
        const hint = /IOERR|timeout|connect/i.test(message) ? ` (can ${prep.source.addr} reach ${target.addr}? --method restore sends the data through slotpilot instead)` : '';
        return { ...NOTHING, failure: `${target.addr}: MIGRATE from ${prep.source.addr} failed: ${message.split('\n')[0]}${hint}` };
      }
      const { dumped, vanished } = parseDumpReply(keys, await prep.source.dumpKeys(keys));
      const still = new Set(dumped.map((e) => e.key.toString('latin1')));
      const movedAlready = options.mode === 'move' ? keys.filter((k) => !still.has(k.toString('latin1'))) : [];
      const r = await restoreGroup(target, dumped);
      return {
        ...r,
        written: [...movedAlready, ...r.written],
        vanished: options.mode === 'move' ? 0 : vanished,
        deletedBySource: movedAlready.length,
        // In copy mode "present" now also counts keys this MIGRATE wrote: the count check can only bound.
        exact: options.mode === 'move',
      };
    }
  }

  async function importBatch(keys: Buffer[]): Promise<void> {
    const readAt = Date.now();
    /** This batch's sampled keys by name; only those the cluster acknowledged join the sample. */
    const sampled = new Map<string, SampledKey>();
    // Which keys exist and their TTLs: MIGRATE does not say how many keys it moved.
    const ttls = await prep.source.ttlKeys(keys);
    const live = keys.filter((_, i) => ttls[i] !== -2);
    let vanished = keys.length - live.length;
    if (ttls.some((t) => t >= 0 && t < SHORT_TTL_MS)) totals.exact = false;
    const chosen = sample.length < options.verifySample * 2 ? live.filter((k) => isSampled(k, options.verifySample, prep.source.keys)) : [];
    if (chosen.length) {
      const digests = await prep.source.digestKeys(chosen);
      const ttlOf = new Map(keys.map((k, i) => [k.toString('latin1'), ttls[i]!]));
      chosen.forEach((key, i) => {
        const ttl = ttlOf.get(key.toString('latin1'))!;
        if (digests[i]) sampled.set(key.toString('latin1'), { key, digest: digests[i]!, ttlMs: ttl === -1 ? 0 : ttl, readAt });
      });
    }
    const groups = routeKeys(
      live.map((key) => ({ key })),
      prep.slotOwners,
    );
    const results = await Promise.all(
      [...groups].map(async ([owner, entries]) => {
        const target = prep.targets.get(owner)!;
        const group = entries.map((e) => e.key);
        const r = options.method === 'migrate' ? await migrateKeys(target, group) : await restoreKeys(target, group);
        return { target, ...r };
      }),
    );
    const toDelete: DumpedKey[] = [];
    for (const r of results) {
      toDelete.push(...r.toDelete);
      vanished += r.vanished;
      if (!r.exact) totals.exact = false;
      totals.restored += r.written.length;
      totals.alreadyPresent += r.present;
      totals.perMaster[r.target.addr] = (totals.perMaster[r.target.addr] ?? 0) + r.written.length;
      for (const key of r.written) {
        const chosenKey = sampled.get(key.toString('latin1'));
        if (chosenKey) sample.push(chosenKey);
      }
      for (const key of r.conflicts) {
        if (totals.conflicts++ < MAX_CONFLICT_EVENTS) emit({ type: 'conflict', t: Date.now(), key: key.toString(), master: r.target.addr });
      }
      if (r.conflicts.length) stop('conflict', `key "${r.conflicts[0]!.toString()}" already exists in the cluster (${r.target.addr}) with a different value; stopping`);
      if (r.failure) {
        emit({ type: 'batch-failed', t: Date.now(), master: r.target.addr, reason: r.failure });
        stop('failure', r.failure);
      }
    }
    if (options.mode === 'move' && toDelete.length) {
      // Only acknowledged keys reach this point: a key is never deleted before the cluster holds it.
      const kept = await prep.source.deleteIfUnchanged(
        toDelete.map((e) => e.key),
        toDelete.map((e) => e.payload),
      );
      totals.changedOnSource += kept.length;
      totals.deleted += toDelete.length - kept.length;
    }
    // MIGRATE deletes its keys from the source itself, atomically with the target's acknowledgement.
    totals.deleted += results.reduce((n, r) => n + r.deletedBySource, 0);
    totals.scanned += keys.length;
    totals.skipped += vanished;
    emit({ type: 'batch-done', t: Date.now(), scanned: totals.scanned, restored: totals.restored, alreadyPresent: totals.alreadyPresent, deleted: totals.deleted, skipped: totals.skipped, changedOnSource: totals.changedOnSource, perMaster: { ...totals.perMaster }, scanCalls: totals.scanCalls });
  }

  async function sumClusterKeys(): Promise<number> {
    const sizes = await Promise.all([...prep.targets.values()].map((t) => t.client.dbsize()));
    return sizes.reduce((a, b) => a + b, 0);
  }

  async function run(): Promise<ImportSummary & { verify: VerifyReport | null }> {
    const started = Date.now();
    const clusterKeysBefore = await sumClusterKeys();
    emit({
      type: 'import-start',
      t: started,
      from: prep.source.addr,
      db: options.db,
      match: options.match,
      mode: options.mode,
      replace: options.replace,
      method: options.method,
      sourceKeys: prep.source.keys,
      masters: Object.fromEntries([...prep.targets.values()].map((t) => [t.id, t.addr])),
      journal: options.journal,
    });
    const queue = new PQueue({ concurrency: options.inFlight });
    /**
     * Keys of the batches in flight. SCAN may return a key twice (the source's table is resized while
     * it walks, more so as a move deletes keys); a key still in flight in another batch must not be
     * counted again, or MIGRATE, which skips keys gone meanwhile, would count it twice. A duplicate
     * of a finished batch is harmless: gone from the source (move) or found identical (copy).
     */
    const inFlightKeys = new Set<string>();
    const guarded = (keys: Buffer[]) => async (): Promise<void> => {
      try {
        await importBatch(keys);
      } catch (error) {
        const reason = `${classifyRedisError(error) === 'CONNECTION' ? 'connection lost: ' : ''}${(error as Error).message?.split('\n')[0] ?? String(error)}`;
        emit({ type: 'batch-failed', t: Date.now(), master: null, reason });
        stop('failure', reason);
      } finally {
        for (const k of keys) inFlightKeys.delete(k.toString('latin1'));
      }
    };
    const matchArgs = options.match ? ['MATCH', options.match] : [];
    let cursor = '0';
    try {
      do {
        const [next, keys] = await prep.source.client.scanBuffer(cursor, ...(matchArgs as []), 'COUNT', options.batch);
        totals.scanCalls++;
        cursor = next.toString();
        const fresh = keys.filter((k) => !inFlightKeys.has(k.toString('latin1')));
        for (const k of fresh) inFlightKeys.add(k.toString('latin1'));
        if (fresh.length) void queue.add(guarded(fresh));
        // Read ahead by one batch only: the source keeps the data, this process only what is in flight.
        await queue.onSizeLessThan(1);
      } while (cursor !== '0' && !stoppedBy);
    } catch (error) {
      const reason = `reading ${prep.source.addr} failed: ${(error as Error).message?.split('\n')[0]}`;
      emit({ type: 'batch-failed', t: Date.now(), master: null, reason });
      stop('failure', reason);
    }
    await queue.onIdle();
    let verify: VerifyReport | null = null;
    try {
      if (stoppedBy !== 'signal' && stoppedBy !== 'failure') {
        verify = await verifyImport(prep, { clusterKeysBefore, clusterKeysAfter: await sumClusterKeys(), restored: totals.restored, exact: !options.replace && totals.exact, sample });
        emit({ type: 'verify', t: Date.now(), ...verify });
      }
    } catch (error) {
      emit({ type: 'batch-failed', t: Date.now(), master: null, reason: `verification failed to run: ${(error as Error).message?.split('\n')[0]}` });
      failed = true;
    }
    const summary: ImportSummary = {
      mode: options.mode,
      scanned: totals.scanned,
      restored: totals.restored,
      alreadyPresent: totals.alreadyPresent,
      deleted: totals.deleted,
      skipped: totals.skipped,
      changedOnSource: totals.changedOnSource,
      conflicts: totals.conflicts,
      failed: failed || (verify !== null && !verify.ok),
      stoppedBy,
      ms: Date.now() - started,
    };
    emit({ type: 'import-end', t: Date.now(), summary, verify });
    return { ...summary, verify };
  }

  // Start on the next turn so consumers that subscribe right after this call see import-start.
  const done = new Promise<void>((r) => setImmediate(r)).then(run).finally(() => prep.close());
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    interrupt() {
      stop('signal', 'interrupted: finishing the batches in flight (no key is lost); Ctrl-C again to quit at once');
    },
    done,
  };
}
