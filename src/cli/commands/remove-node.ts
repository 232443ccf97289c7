import type { CommandModule } from 'yargs';
import { UsageError } from '../../errors.js';
import { removeNode } from '../../lifecycle/remove-node.js';
import { withApplyOptions, type ApplyArgs } from '../apply-options.js';
import { runLifecycle } from '../lifecycle-run.js';
import { resolveConnection, resolveSeed, withConnectionOptions, type ConnectionArgs } from '../options.js';

interface Args extends ApplyArgs, ConnectionArgs {
  readonly node: string;
  readonly withReplicas: boolean;
  readonly minReplicas?: number;
  readonly shutdown: boolean;
}

export const removeNodeCommand: CommandModule<object, Args> = {
  command: 'remove-node',
  describe: 'Drain a node, re-attach its replicas, make every node forget it, optionally shut it down',
  builder: (y) =>
    withApplyOptions(withConnectionOptions(y))
      .option('node', { type: 'string', demandOption: true, describe: 'The node to remove (HOST:PORT or node id)', group: 'Node:' })
      .option('with-replicas', { type: 'boolean', default: false, describe: "Remove the master's replicas too instead of re-attaching them", group: 'Node:' })
      .option('min-replicas', { type: 'number', describe: 'Fewest replicas a master with slots may be left with (default: the fewest any has now)', group: 'Node:' })
      .option('shutdown', { type: 'boolean', default: false, describe: 'Shut the removed node(s) down (SHUTDOWN NOSAVE)', group: 'Node:' }) as never,
  handler: async (args) => {
    const seed = resolveSeed(args);
    const conn = resolveConnection(args);
    if (args.minReplicas !== undefined && (!Number.isInteger(args.minReplicas) || args.minReplicas < 0)) {
      throw new UsageError(`Expected --min-replicas to be a whole number >= 0, got ${args.minReplicas}`);
    }
    const request = { node: args.node, withReplicas: args.withReplicas, minReplicas: args.minReplicas ?? null, shutdown: args.shutdown };
    await runLifecycle('remove-node', args, seed, conn, request, (ctx, deps) =>
      removeNode(ctx, { node: args.node, withReplicas: args.withReplicas, shutdown: args.shutdown, ...(args.minReplicas !== undefined ? { minReplicas: args.minReplicas } : {}) }, deps),
    );
  },
};
