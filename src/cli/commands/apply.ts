import type { CommandModule } from 'yargs';
import { readPlanFile } from '../../planner/plan-file.js';
import { confirm, describePlanChange, executePlan, withApplyOptions, type ApplyArgs } from '../apply-options.js';
import { resolveConnection, resolveSeed, withConnectionOptions, type ConnectionArgs } from '../options.js';
import { printLine } from '../output.js';
import { planTable } from './plan-table.js';

interface Args extends ApplyArgs, ConnectionArgs {
  readonly plan: string;
}

export const applyCommand: CommandModule<object, Args> = {
  command: 'apply <plan>',
  describe: 'Apply a plan file: many slots at once, journaled, resumable',
  builder: (y) => withApplyOptions(withConnectionOptions(y)).positional('plan', { type: 'string', demandOption: true, describe: 'Plan file from slotpilot plan' }) as never,
  handler: async (args) => {
    const plan = readPlanFile(args.plan);
    const seed = resolveSeed(args);
    const connection = resolveConnection(args);
    if (!plan.moves.length) {
      printLine('the plan has no moves; nothing to do');
      return;
    }
    if (!args.yes && !args.json) for (const line of planTable(plan)) printLine(line);
    await confirm(`Apply: ${describePlanChange(plan)}?`, args.yes);
    await executePlan(plan, args, { seed, connection }, 'apply');
  },
};
