import PQueue from 'p-queue';
import { classifyRedisError } from '../redis/errors.js';
import { isSampled } from './digest.js';
import type { PreparedImport } from './preflight.js';
import { routeKeys } from './route-keys.js';
import { verifyImport, type SampledKey } from './verify-import.js';
import { migrateKeys, restoreKeys } from './write-group.js';
import { ImportRun, tallyWrites } from './import-run.js';
import type { DumpedKey, ImportEvent, ImportHandle, ImportMode, ImportSummary, VerifyReport } from './types.js';

export const DEFAULT_IMPORT_BATCH = 1000;
export const DEFAULT_IMPORT_IN_FLIGHT = 8;
export const DEFAULT_VERIFY_SAMPLE = 1000;

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
  const run = new ImportRun();
  const emit = (event: ImportEvent): void => run.emit(event);
  const totals = new Totals();
  /** Keys chosen for the verification, with their digest on the source (capped: the choice is by hash, so only about verifySample). */
  const sample: SampledKey[] = [];
  const stop = (reason: NonNullable<ImportSummary['stoppedBy']>, message: string): void => run.stop(reason, message);
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
        const r = options.method === 'migrate' ? await migrateKeys(options, prep.source, target, group) : await restoreKeys(options, prep.source, target, group);
        return { target, ...r };
      }),
    );
    const toDelete: DumpedKey[] = [];
    for (const r of results) {
      toDelete.push(...r.toDelete);
      vanished += r.vanished;
      if (!r.exact) totals.exact = false;
    }
    tallyWrites(run, totals, results, sampled, sample);
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

  async function work(): Promise<ImportSummary & { verify: VerifyReport | null }> {
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
      } while (cursor !== '0' && !run.stoppedBy);
    } catch (error) {
      const reason = `reading ${prep.source.addr} failed: ${(error as Error).message?.split('\n')[0]}`;
      emit({ type: 'batch-failed', t: Date.now(), master: null, reason });
      stop('failure', reason);
    }
    await queue.onIdle();
    let verify: VerifyReport | null = null;
    try {
      if (run.stoppedBy !== 'signal' && run.stoppedBy !== 'failure') {
        verify = await verifyImport(prep, { clusterKeysBefore, clusterKeysAfter: await sumClusterKeys(), restored: totals.restored, exact: !options.replace && totals.exact, sample });
        emit({ type: 'verify', t: Date.now(), ...verify });
      }
    } catch (error) {
      emit({ type: 'batch-failed', t: Date.now(), master: null, reason: `verification failed to run: ${(error as Error).message?.split('\n')[0]}` });
      run.failed = true;
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
      failed: run.failed || (verify !== null && !verify.ok),
      stoppedBy: run.stoppedBy,
      ms: Date.now() - started,
    };
    emit({ type: 'import-end', t: Date.now(), summary, verify });
    return { ...summary, verify };
  }

  return run.start(work, () => prep.close(), 'interrupted: finishing the batches in flight (no key is lost); Ctrl-C again to quit at once');
}
