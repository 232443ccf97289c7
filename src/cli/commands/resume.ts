import type { CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { readJournal } from '../../journal/journal.js';
import { parseAddr } from '../../redis/connection.js';
import { confirm, executePlan, withApplyOptions, type ApplyArgs } from '../apply-options.js';
import { resolveConnection, withConnectionOptions, type ConnectionArgs } from '../options.js';

type Args = ApplyArgs & ConnectionArgs;

export const resumeCommand: CommandModule<object, Args> = {
  command: 'resume',
  describe: 'Finish an interrupted or failed run from its journal (re-reads every planned slot live)',
  builder: (y) => withApplyOptions(withConnectionOptions(y)) as never,
  handler: async (args) => {
    if (!args.journal) throw new UsageError('missing --journal FILE (printed when the run started)');
    const journal = readJournal(args.journal);
    const seed = parseAddr(args.seed ?? process.env.SLOTPILOT_SEED ?? journal.header.seed, '--seed');
    await confirm(`Resume run ${journal.header.runId.slice(0, 8)}: finish up to ${journal.header.plan.moves.length} planned slots?`, args.yes);
    // The new run appends to the same journal, so one file tells the whole story.
    await executePlan(journal.header.plan, args, { seed, connection: resolveConnection(args), resume: true }, 'resume');
  },
};
