import calculateSlot from 'cluster-key-slot';
import PQueue from 'p-queue';
import { classifyRedisError } from '../redis/errors.js';
import type { RdbKeyEntry } from '../rdb/entries.js';
import { globMatch } from '../rdb/glob.js';
import { readRdbFile, statRdbFile, type RdbFileStat } from '../rdb/read-file.js';
import { decodeValue } from '../rdb/read-value.js';
import { planRestore } from '../rdb/restore-plan.js';
import type { RdbFlavor } from '../rdb/types.js';
import { RdbFormatError } from '../rdb/errors.js';
import { isSampled } from './digest.js';
import { fileComparer, readBackParts, type PreparedRdbImport, type RdbDumpedKey } from './rdb-targets.js';
import { validateRdbImport } from './validate-rdb.js';
import { decodedDigest } from './value-digest.js';
import { verifyImport, type SampledKey } from './verify-import.js';
import { restoreGroup } from './write-group.js';
import { ImportRun, tallyWrites } from './import-run.js';
import type { ImportEvent, ImportHandle, ImportSummary, RdbValidation, VerifyReport } from './types.js';

export interface RdbImportOptions {
  readonly file: RdbFileStat;
  readonly db: number;
  /** Glob of the keys to import (SCAN MATCH syntax), or null for all. */
  readonly match: string | null;
  readonly replace: boolean;
  /** Keys per batch: one RESTORE pipeline per master and batch. */
  readonly batch: number;
  /** Batches in flight at once; the file waits while they are all busy. */
  readonly inFlight: number;
  readonly verifySample: number;
  readonly journal: string | null;
}

/** A batch is also cut at this many payload bytes, so a file of big keys keeps memory bounded. */
const BATCH_BYTES = 8 << 20;
/** A key expiring sooner may be gone before verification, so the key count cannot be exact. */
const SHORT_TTL_MS = 60_000;

/** Thrown out of the file reader to stop reading once the run stops. */
const STOP_READING = Symbol('stop reading');

class Totals {
  scanned = 0;
  restored = 0;
  alreadyPresent = 0;
  expired = 0;
  reencoded = 0;
  conflicts = 0;
  bytesRead = 0;
  exact = true;
  readonly perMaster: Record<string, number> = {};
}

/**
 * Import an RDB file into the cluster `prepareRdbImport` checked. First a validation pass over the
 * whole file (structure, every encoding, the CRC-64; and that each key can go to its master), so a
 * corrupt, truncated or unimportable file is refused before anything is written. Then a second read:
 * each key of database `db` matching `match` is routed to the master owning its slot and RESTOREd
 * there with its absolute expiry (ABSTTL) from a payload built from the file's own bytes (or
 * re-encoded for a master that does not read its type), one pipeline per master per batch, several
 * batches in flight, the file paused while they are busy. Conflicts follow `import`: the same value
 * already there is "present", another value stops the run unless `replace`. Then verification.
 */
export function startRdbImport(prep: PreparedRdbImport, options: RdbImportOptions): ImportHandle {
  const run = new ImportRun();
  const emit = (event: ImportEvent): void => run.emit(event);
  const totals = new Totals();
  const sample: SampledKey[] = [];
  const match = options.match === null ? null : Buffer.from(options.match);
  const stop = (reason: NonNullable<ImportSummary['stoppedBy']>, message: string): void => run.stop(reason, message);
  const selected = (e: RdbKeyEntry): boolean => e.db === options.db && (!match || globMatch(match, e.key));

  async function writeBatch(groups: Map<string, RdbDumpedKey[]>, sampled: Map<string, SampledKey>, flavor: RdbFlavor): Promise<void> {
    const results = await Promise.all(
      [...groups].map(async ([owner, entries]) => {
        const target = prep.targets.get(owner)!;
        return { target, ...(await restoreGroup({ mode: 'copy', replace: options.replace, migrateAuth: [], absoluteTtl: true }, fileComparer(flavor), target, entries)) };
      }),
    );
    tallyWrites(run, totals, results, sampled, sample);
    emit({ type: 'batch-done', t: Date.now(), scanned: totals.scanned, restored: totals.restored, alreadyPresent: totals.alreadyPresent, deleted: 0, skipped: totals.expired, changedOnSource: 0, perMaster: { ...totals.perMaster }, scanCalls: 0, bytesRead: totals.bytesRead, totalBytes: options.file.bytes, expired: totals.expired, reencoded: totals.reencoded });
  }

  /** The second read: route, plan and RESTORE every selected key, batches in flight. */
  async function writePass(validation: RdbValidation): Promise<void> {
    const queue = new PQueue({ concurrency: options.inFlight });
    let groups = new Map<string, RdbDumpedKey[]>();
    let sampled = new Map<string, SampledKey>();
    let keys = 0;
    let bytes = 0;
    const flush = async (): Promise<void> => {
      if (!keys) return;
      const [g, s] = [groups, sampled];
      groups = new Map();
      sampled = new Map();
      keys = bytes = 0;
      void queue.add(async () => {
        try {
          await writeBatch(g, s, validation.flavor);
        } catch (error) {
          const reason = `${classifyRedisError(error) === 'CONNECTION' ? 'connection lost: ' : ''}${(error as Error).message?.split('\n')[0] ?? String(error)}`;
          emit({ type: 'batch-failed', t: Date.now(), master: null, reason });
          stop('failure', reason);
        }
      });
      // Read ahead by one batch only: the file waits while every batch in flight is busy.
      if (queue.size >= 1) await queue.onSizeLessThan(1);
    };
    try {
      await readRdbFile(options.file, false, async (entries, bytesRead) => {
        for (const e of entries) {
          if (run.stoppedBy) throw STOP_READING;
          if (e.kind !== 'key' || !selected(e)) continue;
          totals.scanned++;
          const owner = prep.slotOwners[calculateSlot(e.key)]!;
          const now = Date.now();
          const plan = planRestore(e, validation.flavor, prep.formats.get(owner)!, now);
          if (plan.kind === 'expired') {
            totals.expired++;
            continue;
          }
          if (plan.reencoded) totals.reencoded++;
          if (e.expireAt !== null && e.expireAt - now < SHORT_TTL_MS) totals.exact = false;
          const entry: RdbDumpedKey = { key: e.key, ttlMs: e.expireAt ?? 0, payload: plan.payload, type: e.type, value: e.value, valueOffset: e.valueOffset };
          if (sample.length < options.verifySample * 2 && isSampled(e.key, options.verifySample, validation.keys)) {
            // Copied: the entry's buffers are views into the reader's chunk, which must not be kept.
            const key = Buffer.from(e.key);
            sampled.set(key.toString('latin1'), { key, digest: decodedDigest(decodeValue(e.type, e.value, e.valueOffset, validation.flavor)), ttlMs: e.expireAt === null ? 0 : e.expireAt - now, readAt: now });
          }
          const list = groups.get(owner);
          if (list) list.push(entry);
          else groups.set(owner, [entry]);
          keys++;
          bytes += plan.payload.length;
          if (keys >= options.batch || bytes >= BATCH_BYTES) await flush();
        }
        totals.bytesRead = bytesRead;
      });
      await flush();
    } catch (error) {
      if (error !== STOP_READING) {
        const reason = error instanceof RdbFormatError ? error.message : `reading ${options.file.path} failed: ${(error as Error).message?.split('\n')[0]}`;
        emit({ type: 'batch-failed', t: Date.now(), master: null, reason });
        stop('failure', reason);
      }
    }
    await queue.onIdle();
  }

  const dbsizes = async (): Promise<Map<string, number>> => new Map(await Promise.all([...prep.targets.values()].map(async (t) => [t.addr, await t.client.dbsize()] as const)));

  async function work(): Promise<ImportSummary & { verify: VerifyReport | null }> {
    let validated: RdbValidation;
    try {
      validated = await validateRdbImport(prep, options, emit);
    } catch (error) {
      // Refused before any write: said in the events and the journal too, then the CLI exits 2.
      emit({ type: 'stopping', t: Date.now(), message: `refused, nothing was written: ${(error as Error).message}` });
      throw error;
    }
    // A file replaced between the passes would be written unchecked: the second pass needs the same one.
    const now = statRdbFile(options.file.path);
    if (now.bytes !== options.file.bytes || now.mtimeMs !== options.file.mtimeMs) throw new RdbFormatError(0, 'the file changed after it was validated', options.file.path);
    const started = Date.now();
    const before = await dbsizes();
    emit({ type: 'import-start', t: started, from: options.file.path, db: options.db, match: options.match, mode: 'copy', replace: options.replace, method: 'rdb', sourceKeys: validated.keys - validated.expired, masters: Object.fromEntries([...prep.targets.values()].map((t) => [t.id, t.addr])), journal: options.journal });
    await writePass(validated);
    let verify: VerifyReport | null = null;
    try {
      if (run.stoppedBy !== 'signal' && run.stoppedBy !== 'failure') {
        const after = await dbsizes();
        const sum = (m: Map<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);
        const perMaster = [...after].map(([addr, n]) => ({ addr, before: before.get(addr) ?? 0, after: n, restored: totals.perMaster[addr] ?? 0 }));
        verify = await verifyImport(prep, { clusterKeysBefore: sum(before), clusterKeysAfter: sum(after), restored: totals.restored, exact: !options.replace && totals.exact, sample, perMaster }, readBackParts);
        emit({ type: 'verify', t: Date.now(), ...verify });
      }
    } catch (error) {
      emit({ type: 'batch-failed', t: Date.now(), master: null, reason: `verification failed to run: ${(error as Error).message?.split('\n')[0]}` });
      run.failed = true;
    }
    const summary: ImportSummary = {
      mode: 'copy',
      scanned: totals.scanned,
      restored: totals.restored,
      alreadyPresent: totals.alreadyPresent,
      deleted: 0,
      skipped: totals.expired,
      changedOnSource: 0,
      conflicts: totals.conflicts,
      expired: totals.expired,
      reencoded: totals.reencoded,
      failed: run.failed || (verify !== null && !verify.ok),
      stoppedBy: run.stoppedBy,
      ms: Date.now() - started,
    };
    emit({ type: 'import-end', t: Date.now(), summary, verify });
    return { ...summary, verify };
  }

  return run.start(work, () => prep.close(), 'interrupted: finishing the batches in flight; Ctrl-C again to quit at once');
}
