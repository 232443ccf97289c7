import type { CommandModule } from 'yargs';
import { OperationError } from '../../errors.js';
import { withConnectionOptions, type ConnectionArgs } from '../options.js';

interface CheckArgs extends ConnectionArgs {
  readonly json?: boolean;
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'Report cluster health: coverage, agreement, open slots, failing nodes',
  builder: (y) => withConnectionOptions(y).option('json', { type: 'boolean', describe: 'Print one JSON object' }),
  handler: async () => {
    throw new OperationError('check is not implemented yet');
  },
};
