import type { CommandModule } from 'yargs';
import { serializePlan, writePlanFile } from '../../planner/plan-file.js';
import { planFromArgs, withPlanOptions, type PlanArgs } from '../plan-options.js';
import { withConnectionOptions, type ConnectionArgs } from '../options.js';
import { printLine } from '../output.js';
import { planTable } from './plan-table.js';

interface Args extends PlanArgs, ConnectionArgs {
  readonly topology?: string;
  readonly output?: string;
  readonly json: boolean;
}

export const planCommand: CommandModule<object, Args> = {
  command: 'plan',
  describe: 'Plan a rebalance, drain, move or undo as a reviewable plan file (changes nothing)',
  builder: (y) =>
    withPlanOptions(withConnectionOptions(y))
      .alias('undo-plan', 'plan')
      .alias('undo-journal', 'from-journal')
      .option('topology', { type: 'string', describe: 'Plan offline from a snapshot file or `redis-cli cluster nodes` output' })
      .option('output', { alias: 'o', type: 'string', describe: 'Write the plan to this file' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the plan as JSON' }) as never,
  handler: async (args) => {
    const { plan } = await planFromArgs(args);
    if (args.output) writePlanFile(args.output, plan);
    if (args.json) {
      process.stdout.write(serializePlan(plan));
      return;
    }
    for (const line of planTable(plan)) printLine(line);
    printLine(args.output ? `plan written to ${args.output}; apply it with: slotpilot apply ${args.output} --seed ${plan.source.from}` : 'add -o FILE to save the plan');
  },
};
