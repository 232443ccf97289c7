import type { CommandModule } from 'yargs';
import { OperationError } from '../../errors.js';
import { withConnectionOptions, type ConnectionArgs } from '../options.js';

interface SnapshotArgs extends ConnectionArgs {
  readonly json?: boolean;
}

export const snapshotCommand: CommandModule<object, SnapshotArgs> = {
  command: "snapshot",
  describe: 'Write the topology with per-slot key counts as versioned JSON',
  builder: (y) => withConnectionOptions(y).option('json', { type: 'boolean', describe: 'Print one JSON object' }),
  handler: async () => {
    throw new OperationError('snapshot is not implemented yet');
  },
};
