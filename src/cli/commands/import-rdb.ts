import { UsageError } from '../../errors.js';
import { attachImportJournal, defaultImportJournalPath, importJournalHeader } from '../../import/import-journal.js';
import { prepareRdbImport } from '../../import/rdb-targets.js';
import { startRdbImport } from '../../import/run-rdb-import.js';
import { peekRdbAux, statRdbFile, type RdbFileStat } from '../../rdb/read-file.js';
import { enforceCapacity, projectImport } from '../../planner/capacity.js';
import { printLine } from '../output.js';
import type { HostPort } from '../../redis/connection.js';
import { formatBytes } from '../../util/format.js';
import { confirm } from '../apply-options.js';
import { followImport } from '../import-run.js';
import { resolveConnection } from '../options.js';
import { wholeNumber, type ImportArgs } from './import.js';

/**
 * What the file's data takes in memory: the `used-mem` its server recorded when it saved it, else
 * RDB_EXPANSION × its size (the bench's 1M mixed keys: 37.5 MB on disk, ~110 MB in memory).
 */
export const RDB_EXPANSION = 3;
async function rdbDataBytes(file: RdbFileStat): Promise<number> {
  const used = Number((await peekRdbAux(file))['used-mem']);
  return Number.isFinite(used) && used > 0 ? used : file.bytes * RDB_EXPANSION;
}

/** Options of `import --from` that mean nothing for a file: refused rather than silently ignored. */
const FROM_ONLY = ['from', 'fromUser', 'fromPassword', 'method'] as const;

/** `slotpilot import --rdb FILE`: validate the whole file, then write its keys to their masters. */
export async function importRdb(args: ImportArgs, seed: HostPort): Promise<void> {
  const clash = FROM_ONLY.find((o) => args[o] !== undefined) ?? (args.fromTls ? 'fromTls' : undefined);
  if (clash) throw new UsageError(`--rdb and --${clash.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} cannot be used together (the keys come from the file)`);
  if (!args.rdb) throw new UsageError('--rdb needs a file name');
  const db = wholeNumber(args.db, '--db', 0);
  const batch = wholeNumber(args.batch, '--batch', 1);
  const inFlight = wholeNumber(args.inFlight, '--in-flight', 1);
  const verifySample = wholeNumber(args.verifySample, '--verify-sample', 0);
  const file = statRdbFile(args.rdb);
  const connection = resolveConnection(args);
  const match = args.match ?? null;

  const prep = await prepareRdbImport(seed, connection);
  try {
    enforceCapacity(projectImport(prep.topology, await rdbDataBytes(file)), args.ignoreCapacity, printLine);
    const what = `${match ? `keys matching "${match}"` : 'every key'} of database ${db} in ${file.path} (${formatBytes(file.bytes)}) into the cluster at ${prep.seed} (${prep.targets.size} masters)${args.replace ? ', replacing existing keys' : ''}`;
    await confirm(`Import ${what}?`, args.yes);
  } catch (error) {
    prep.close();
    throw error;
  }
  const journal = args.journal ?? defaultImportJournalPath(new Date());
  const handle = startRdbImport(prep, { file, db, match, replace: args.replace, batch, inFlight, verifySample, journal });
  attachImportJournal(
    handle,
    journal,
    importJournalHeader({
      seed: prep.seed,
      from: file.path,
      db,
      match,
      mode: 'copy',
      replace: args.replace,
      batch,
      inFlight,
      method: 'rdb',
    }),
  );
  await followImport(handle, { json: args.json, batch, journal });
}
