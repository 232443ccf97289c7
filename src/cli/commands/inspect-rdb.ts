import type { CommandModule } from 'yargs';
import { estimateRdbImportSeconds } from '../../import/estimate-rdb.js';
import { inspectRdbFile } from '../../rdb/inspect-file.js';
import { formatInspection } from '../../report/rdb-inspect-report.js';
import { printJson, printLine } from '../output.js';

interface Args {
  readonly file: string;
  readonly json: boolean;
}

export const inspectRdbCommand: CommandModule<object, Args> = {
  command: 'inspect-rdb <file>',
  describe: 'Read an RDB file (all checks, CRC-64) and report its version, aux fields, keys per database and type, TTLs, biggest keys and the estimated import time',
  builder: (y) => y.positional('file', { type: 'string', demandOption: true, describe: 'The RDB file' }).option('json', { type: 'boolean', default: false, describe: 'Print one JSON object' }) as never,
  handler: async (args) => {
    const r = await inspectRdbFile(args.file);
    if (args.json) printJson({ ...r, estimatedImportSeconds: estimateRdbImportSeconds(r.keys - r.expired, r.valueBytes) });
    else for (const line of formatInspection(r)) printLine(line);
  },
};
