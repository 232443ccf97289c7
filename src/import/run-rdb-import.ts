import { readRdbFile, statRdbFile, type RdbFileStat } from '../rdb/read-file.js';
import { decodeValue } from '../rdb/read-value.js';
import { RdbFormatError } from '../rdb/errors.js';
import { isSampled } from './digest.js';
import { readBackParts, type PreparedRdbImport } from './rdb-targets.js';
import { RdbKeyWriter, RdbWriteTotals } from './rdb-writer.js';
import { validateRdbImport } from './validate-rdb.js';
import { decodedDigest } from './value-digest.js';
import { verifyImport, type SampledKey } from './verify-import.js';
import { ImportRun } from './import-run.js';
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

/** Thrown out of the file reader to stop reading once the run stops. */
const STOP_READING = Symbol('stop reading');

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
  const sample: SampledKey[] = [];
  /** The write pass's counts (empty until it starts: a refused file writes nothing). */
  let totals = new RdbWriteTotals();
  const stop = (reason: NonNullable<ImportSummary['stoppedBy']>, message: string): void => run.stop(reason, message);

  /** The second read: route, plan and RESTORE every selected key, batches in flight. */
  async function writePass(validation: RdbValidation): Promise<void> {
    let bytesRead = 0;
    const writer = new RdbKeyWriter(prep, run, options, {
      sample: (e, flavor, now) => {
        if (sample.length >= options.verifySample * 2 || !isSampled(e.key, options.verifySample, validation.keys)) return null;
        // Copied: the entry's buffers are views into the reader's chunk, which must not be kept.
        const key = Buffer.from(e.key);
        return { key, digest: decodedDigest(decodeValue(e.type, e.value, e.valueOffset, flavor)), ttlMs: e.expireAt === null ? 0 : e.expireAt - now, readAt: now };
      },
      sampleOut: sample,
      afterBatch: () => {
        const t = writer.totals;
        emit({ type: 'batch-done', t: Date.now(), scanned: t.scanned, restored: t.restored, alreadyPresent: t.alreadyPresent, deleted: 0, skipped: t.expired, changedOnSource: 0, perMaster: { ...t.perMaster }, scanCalls: 0, bytesRead, totalBytes: options.file.bytes, expired: t.expired, reencoded: t.reencoded });
      },
    }, validation.flavor);
    totals = writer.totals;
    try {
      await readRdbFile(options.file, false, async (entries, read) => {
        if (run.stoppedBy) throw STOP_READING;
        await writer.add(entries);
        bytesRead = read;
      });
      await writer.finish();
    } catch (error) {
      if (error !== STOP_READING) {
        const reason = error instanceof RdbFormatError ? error.message : `reading ${options.file.path} failed: ${(error as Error).message?.split('\n')[0]}`;
        emit({ type: 'batch-failed', t: Date.now(), master: null, reason });
        stop('failure', reason);
      }
      await writer.finish().catch(() => undefined);
    }
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
