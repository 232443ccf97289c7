import type { CommandModule } from 'yargs';
import { readTopology } from '../../topology/read-topology.js';
import { writeSnapshotFile } from '../../topology/snapshot.js';
import { withConnectionOptions, resolveConnection, resolveSeed, type ConnectionArgs } from '../options.js';
import { printLine } from '../output.js';

interface SnapshotArgs extends ConnectionArgs {
  readonly output: string;
}

export const snapshotCommand: CommandModule<object, SnapshotArgs> = {
  command: 'snapshot',
  describe: 'Write the topology with per-slot key counts as versioned JSON (for offline planning and audits)',
  builder: (y) =>
    withConnectionOptions(y).option('output', {
      alias: 'o',
      type: 'string',
      demandOption: true,
      describe: 'File to write',
    }),
  handler: async (args) => {
    const topology = await readTopology(resolveSeed(args), resolveConnection(args));
    writeSnapshotFile(args.output, topology);
    const masters = topology.nodes.filter((n) => n.role === 'master').length;
    const keys = topology.slotKeys?.reduce((a, b) => a + b, 0) ?? 0;
    printLine(`wrote ${args.output}: ${topology.nodes.length} nodes (${masters} masters), ${keys} keys counted per slot`);
  },
};
