import type { CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { attachImportJournal, defaultImportJournalPath, importJournalHeader } from '../../import/import-journal.js';
import { prepareImport } from '../../import/preflight.js';
import { DEFAULT_IMPORT_BATCH, DEFAULT_IMPORT_IN_FLIGHT, DEFAULT_VERIFY_SAMPLE, startImport } from '../../import/run-import.js';
import { migrateAuthArgs, parseAddr } from '../../redis/connection.js';
import { formatCount } from '../../util/format.js';
import { confirm } from '../apply-options.js';
import { resolveConnection, resolveSeed, resolveSourceConnection, withConnectionOptions, type SourceArgs } from '../options.js';
import { followImport } from '../import-run.js';
import { importRdb } from './import-rdb.js';
import { enforceCapacity, projectImport } from '../../planner/capacity.js';
import { printLine } from '../output.js';

export interface ImportArgs extends SourceArgs {
  readonly copy: boolean;
  readonly replace: boolean;
  readonly yes: boolean;
  readonly json: boolean;
  readonly journal?: string;
  readonly batch: number;
  readonly inFlight: number;
  readonly verifySample: number;
  readonly method?: 'migrate' | 'restore';
  readonly ignoreCapacity: boolean;
  readonly rdb?: string;
}

export function wholeNumber(value: number, option: string, min: number): number {
  if (!Number.isInteger(value) || value < min) throw new UsageError(`Expected ${option} to be a whole number >= ${min}, got ${String(value)}`);
  return value;
}

export const importCommand: CommandModule<object, ImportArgs> = {
  command: 'import',
  describe: 'Bring every key of a standalone Redis (moved, or copied with --copy) or of an RDB file (--rdb) into the cluster',
  builder: (y) =>
    withConnectionOptions(y)
      .option('from', { type: 'string', describe: 'Standalone Redis to import from, HOST:PORT', group: 'Import:' })
      .option('rdb', { type: 'string', describe: 'RDB file to import (a BGSAVE, a backup, an export); instead of --from', group: 'Import:' })
      .option('from-user', { type: 'string', describe: 'ACL user on the source', group: 'Import:' })
      .option('from-password', { type: 'string', describe: 'Password of the source (env SLOTPILOT_FROM_PASSWORD; prefer it)', group: 'Import:' })
      .option('from-tls', { type: 'boolean', default: false, describe: 'Connect to the source with TLS (same --tls-ca/--tls-cert/--tls-key files)', group: 'Import:' })
      .option('db', { type: 'number', default: 0, describe: 'Source database number', group: 'Import:' })
      .option('match', { type: 'string', describe: 'Only keys matching this SCAN pattern', group: 'Import:' })
      .option('copy', { type: 'boolean', default: false, describe: 'Leave the source untouched (default: delete each key from the source once the cluster has it)', group: 'Import:' })
      .option('replace', { type: 'boolean', default: false, describe: 'Overwrite keys that already exist in the cluster with a different value', group: 'Import:' })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation (required without a terminal)', group: 'Import:' })
      .option('json', { type: 'boolean', default: false, describe: 'Print NDJSON events instead of progress lines', group: 'Import:' })
      .option('journal', { type: 'string', describe: 'Journal file (default .slotpilot/import-<time>.ndjson)', group: 'Import:' })
      .option('batch', { type: 'number', default: DEFAULT_IMPORT_BATCH, describe: 'Keys per batch (SCAN COUNT; one MIGRATE or RESTORE pipeline per master and batch)', group: 'Import:' })
      .option('in-flight', { type: 'number', default: DEFAULT_IMPORT_IN_FLIGHT, describe: 'Batches in flight at once', group: 'Import:' })
      .option('method', { choices: ['migrate', 'restore'] as const, describe: 'migrate: the source sends keys itself (MIGRATE … KEYS); restore: DUMP/RESTORE through slotpilot (default with TLS)', group: 'Import:' })
      .option('verify-sample', { type: 'number', default: DEFAULT_VERIFY_SAMPLE, describe: 'Imported keys read back and compared afterwards (0: counts only)', group: 'Import:' })
      .option('ignore-capacity', { type: 'boolean', default: false, describe: 'Go on although a master would pass its maxmemory with what the import brings', group: 'Import:' }) as never,
  handler: async (args) => {
    const seed = resolveSeed(args);
    if (args.rdb !== undefined) return importRdb(args, seed);
    if (!args.from) throw new UsageError('missing --from HOST:PORT or --rdb FILE (what to import)');
    const from = parseAddr(args.from, '--from');
    const db = wholeNumber(args.db, '--db', 0);
    const batch = wholeNumber(args.batch, '--batch', 1);
    const inFlight = wholeNumber(args.inFlight, '--in-flight', 1);
    const verifySample = wholeNumber(args.verifySample, '--verify-sample', 0);
    const connection = resolveConnection(args);
    const fromConnection = resolveSourceConnection(args);
    const mode = args.copy ? 'copy' : 'move';
    const match = args.match ?? null;

    const prep = await prepareImport({ seed, connection, from, fromConnection, db });
    try {
      // What the source's data takes in memory, spread over the masters by their slots.
      enforceCapacity(projectImport(prep.topology, prep.source.dataBytes ?? 0), args.ignoreCapacity, printLine);
      const what = `${mode === 'copy' ? 'copy' : 'move'} ${match ? `keys matching "${match}"` : `${formatCount(prep.source.keys)} keys`} from ${prep.source.addr} db ${db} into the cluster at ${prep.seed} (${prep.targets.size} masters)${mode === 'move' ? ', deleting them from the source' : ''}`;
      await confirm(`Import: ${what}?`, args.yes);
    } catch (error) {
      prep.close();
      throw error;
    }

    const journal = args.journal ?? defaultImportJournalPath(new Date());
    // The source's own connection to the cluster (MIGRATE) has no TLS: with TLS, data goes through slotpilot.
    const method = args.method ?? (connection.tls ? 'restore' : 'migrate');
    const handle = startImport(prep, { mode, replace: args.replace, match, db, batch, inFlight, verifySample, journal, method, migrateAuth: migrateAuthArgs(connection) });
    attachImportJournal(
      handle,
      journal,
      importJournalHeader({
        seed: prep.seed,
        from: prep.source.addr,
        db,
        match,
        mode,
        replace: args.replace,
        batch,
        inFlight,
        method,
      }),
    );
    await followImport(handle, { json: args.json, batch, journal });
  },
};
