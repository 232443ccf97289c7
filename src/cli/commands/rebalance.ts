import type { CommandModule } from 'yargs';
import { confirm, describePlanChange, executePlan, withApplyOptions, type ApplyArgs } from '../apply-options.js';
import { planFromArgs, withPlanOptions, type PlanArgs } from '../plan-options.js';
import { resolveConnection, resolveSeed, withConnectionOptions, type ConnectionArgs } from '../options.js';
import { printLine } from '../output.js';
import { planTable } from './plan-table.js';

interface Args extends PlanArgs, ApplyArgs, ConnectionArgs {}

export const rebalanceCommand: CommandModule<object, Args> = {
  command: 'rebalance',
  describe: 'Plan and apply in one step (like redis-cli --cluster rebalance, much faster)',
  builder: (y) => withApplyOptions(withPlanOptions(withConnectionOptions(y), 'rebalance')) as never,
  handler: async (args) => {
    const seed = resolveSeed(args);
    const { plan } = await planFromArgs(args);
    if (!args.json) for (const line of planTable(plan)) printLine(line);
    if (!plan.moves.length) return;
    await confirm(`Apply: ${describePlanChange(plan)}?`, args.yes);
    await executePlan(plan, args, { seed, connection: resolveConnection(args) }, 'rebalance');
  },
};
