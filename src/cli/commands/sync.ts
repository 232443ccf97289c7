import { dirname } from 'node:path';
import type { CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { DEFAULT_IMPORT_BATCH, DEFAULT_IMPORT_IN_FLIGHT } from '../../import/run-import.js';
import { globMatch } from '../../rdb/glob.js';
import { formatAddr, parseAddr } from '../../redis/connection.js';
import { prepareSync } from '../../sync/preflight.js';
import { startSync } from '../../sync/run-sync.js';
import { attachSyncJournal, defaultSyncJournalPath, journalExists, syncJournalHeader } from '../../sync/sync-journal.js';
import { formatBytes, formatCount } from '../../util/format.js';
import { confirm } from '../apply-options.js';
import { resolveConnection, resolveSeed, resolveSourceConnection, withConnectionOptions, type SourceArgs } from '../options.js';
import { printLine } from '../output.js';
import { followSync } from '../sync-run.js';
import { wholeNumber } from './import.js';

export interface SyncArgs extends SourceArgs {
  readonly replace: boolean;
  readonly journal?: string;
  readonly yes: boolean;
  readonly json: boolean;
  readonly tui?: boolean;
  readonly exitWhenSynced: boolean;
  readonly cutover: boolean;
  readonly cutoverTimeout: number;
  readonly cutoverPause: number;
  readonly allowFlush: boolean;
  readonly ignoreCapacity: boolean;
  readonly metricsPort?: number;
  readonly metricsHost?: string;
  readonly bufferMb: number;
  readonly batch: number;
  readonly inFlight: number;
  readonly reconnectTimeout: number;
}

const G = 'Sync:';

export const syncCommand: CommandModule<object, SyncArgs> = {
  command: 'sync',
  describe: 'Replicate a running Redis (standalone, or every master of a cluster) into the cluster, keep it in sync, cut over',
  builder: (y) =>
    withConnectionOptions(y)
      .option('from', { type: 'string', describe: 'Source to replicate, HOST:PORT (a standalone Redis or any node of a source cluster)', group: G })
      .option('from-user', { type: 'string', describe: 'ACL user on the source (needs PSYNC, REPLCONF, INFO, COMMAND; CLIENT PAUSE for --cutover)', group: G })
      .option('from-password', { type: 'string', describe: 'Password of the source (env SLOTPILOT_FROM_PASSWORD; prefer it)', group: G })
      .option('from-tls', { type: 'boolean', default: false, describe: 'Connect to the source with TLS (same --tls-ca/--tls-cert/--tls-key files)', group: G })
      .option('db', { type: 'number', default: 0, describe: 'Source database to sync (its commands only go to the cluster)', group: G })
      .option('match', { type: 'string', describe: 'Only keys matching this glob (snapshot and stream)', group: G })
      .option('replace', { type: 'boolean', default: false, describe: 'Overwrite keys that exist in the cluster with a different value', group: G })
      .option('journal', { type: 'string', describe: 'Journal file; an existing one is resumed (default .slotpilot/sync-<time>.ndjson)', group: G })
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation (required without a terminal)', group: G })
      .option('json', { type: 'boolean', default: false, describe: 'Print NDJSON events instead of progress lines', group: G })
      .option('tui', { type: 'boolean', describe: 'Terminal screen (default in a terminal without --json; --no-tui for lines)', group: G })
      .option('exit-when-synced', { type: 'boolean', default: false, describe: 'Exit 0 the first time the lag reaches 0 after the full sync', group: G })
      .option('cutover', { type: 'boolean', default: false, describe: 'Once the lag is small, pause source writes, wait until they are all applied, exit 0', group: G })
      .option('cutover-timeout', { type: 'number', default: 60, describe: 'Seconds the cut-over may take before it unpauses the source and exits 1', group: G })
      .option('cutover-pause', { type: 'number', default: 60, describe: 'Seconds source writes stay paused after a successful cut-over (time to point clients at the cluster)', group: G })
      .option('allow-flush', { type: 'boolean', default: false, describe: "Apply the source's FLUSHALL/FLUSHDB as FLUSHALL on every master (default: stop)", group: G })
      .option('ignore-capacity', { type: 'boolean', default: false, describe: 'Go on although a target master would pass 95% of its maxmemory', group: G })
      .option('metrics-port', { type: 'number', describe: 'Serve Prometheus metrics at http://HOST:PORT/metrics', group: G })
      .option('metrics-host', { type: 'string', describe: 'Address the metrics listen on (default 127.0.0.1)', group: G })
      .option('buffer-mb', { type: 'number', default: 64, describe: 'Stream held in memory before it spills to a file next to the journal', group: G })
      .option('batch', { type: 'number', default: DEFAULT_IMPORT_BATCH, describe: 'Snapshot keys per RESTORE batch', group: G })
      .option('in-flight', { type: 'number', default: DEFAULT_IMPORT_IN_FLIGHT, describe: 'Snapshot batches in flight at once', group: G })
      .option('reconnect-timeout', { type: 'number', default: 60, describe: 'Seconds a lost source is retried before the run exits 1', group: G }) as never,
  handler: async (args) => {
    const seed = resolveSeed(args);
    if (!args.from) throw new UsageError('missing --from HOST:PORT (the Redis to replicate)');
    const from = parseAddr(args.from, '--from');
    if (args.exitWhenSynced && args.cutover) throw new UsageError('--exit-when-synced and --cutover cannot be used together (a cut-over already ends the run once in sync)');
    if (args.json && args.tui) throw new UsageError('--json and --tui cannot be used together');
    if (args.metricsHost !== undefined && args.metricsPort === undefined) throw new UsageError('--metrics-host needs --metrics-port');
    const db = wholeNumber(args.db, '--db', 0);
    const batch = wholeNumber(args.batch, '--batch', 1);
    const inFlight = wholeNumber(args.inFlight, '--in-flight', 1);
    const bufferMb = wholeNumber(args.bufferMb, '--buffer-mb', 1);
    const cutoverTimeout = wholeNumber(args.cutoverTimeout, '--cutover-timeout', 1);
    const cutoverPause = wholeNumber(args.cutoverPause, '--cutover-pause', 1);
    const reconnectTimeout = wholeNumber(args.reconnectTimeout, '--reconnect-timeout', 0);
    if (args.metricsPort !== undefined) wholeNumber(args.metricsPort, '--metrics-port', 0);
    const connection = resolveConnection(args);
    const fromConnection = resolveSourceConnection(args);
    const match = args.match ?? null;
    const journal = args.journal ?? defaultSyncJournalPath(new Date());
    const resuming = journalExists(journal);

    const prep = await prepareSync({ seed, connection, from, fromConnection, db, journal, ignoreCapacity: args.ignoreCapacity, say: printLine });
    try {
      const what = `${prep.sources.length > 1 ? `every master of the cluster at ${prep.from} (${prep.sources.length})` : prep.from} db ${db}${match ? ` (keys matching "${match}")` : ''}: ${formatCount(prep.estimate.keys)} keys, ${formatBytes(prep.estimate.usedMemory)}`;
      await confirm(`Sync ${what} into the cluster at ${prep.targets.seed} (${prep.targets.targets.size} masters)${resuming ? `, resuming from ${journal}` : ''}${args.cutover ? ', then cut over (pausing source writes)' : ''}?`, args.yes);
    } catch (error) {
      prep.close();
      throw error;
    }
    const handle = startSync(prep, {
      mode: args.cutover ? 'cutover' : args.exitWhenSynced ? 'exit-when-synced' : 'run',
      db,
      match,
      matchFilter: match === null ? null : ((pattern) => (key: Buffer) => globMatch(pattern, key))(Buffer.from(match)),
      replace: args.replace,
      allowFlush: args.allowFlush,
      spillDir: dirname(journal),
      bufferBytes: bufferMb << 20,
      batch,
      inFlight,
      reconnectTimeoutMs: reconnectTimeout * 1000,
      cutoverTimeoutMs: cutoverTimeout * 1000,
      cutoverPauseMs: cutoverPause * 1000,
      journal,
    });
    attachSyncJournal(handle, journal, syncJournalHeader({ seed: prep.targets.seed, from: formatAddr(from), sources: prep.sources.map((s) => s.name), db, match }));
    await followSync(handle, { json: args.json, tui: args.tui, journal, metrics: args.metricsPort === undefined ? null : { host: args.metricsHost ?? '127.0.0.1', port: args.metricsPort } });
  },
};
