import type { CommandModule } from 'yargs';
import { addNode } from '../../lifecycle/add-node.js';
import { parseAddr } from '../../redis/connection.js';
import { withApplyOptions, type ApplyArgs } from '../apply-options.js';
import { runLifecycle } from '../lifecycle-run.js';
import { resolveConnection, resolveSeed, withConnectionOptions, type ConnectionArgs } from '../options.js';
import { secondsOption, timeoutMs } from './lifecycle-options.js';

interface Args extends ApplyArgs, ConnectionArgs {
  readonly new: string;
  readonly replicaOf?: string;
  readonly rebalance: boolean;
  readonly joinTimeout: number;
  readonly syncTimeout: number;
}

export const addNodeCommand: CommandModule<object, Args> = {
  command: 'add-node',
  describe: 'Join an empty node as a master (optionally rebalancing onto it) or as a replica (following its sync)',
  builder: (y) =>
    withApplyOptions(withConnectionOptions(y))
      .option('new', { type: 'string', demandOption: true, describe: 'The node to add, HOST:PORT (empty, cluster mode, in no cluster)', group: 'Node:' })
      .option('replica-of', { type: 'string', describe: 'Attach it as a replica of this master (HOST:PORT or node id)', group: 'Node:' })
      .option('rebalance', { type: 'boolean', default: false, describe: 'Then move slots onto it (rebalance --use-empty-masters)', group: 'Node:' })
      .option('join-timeout', secondsOption('Seconds to wait until every node knows it and reports ok', 60))
      .option('sync-timeout', secondsOption('Seconds to wait for a replica to finish its initial sync', 600)) as never,
  handler: async (args) => {
    const seed = resolveSeed(args);
    const fresh = parseAddr(args.new, '--new');
    const conn = resolveConnection(args);
    const request = { new: args.new, replicaOf: args.replicaOf ?? null, rebalance: args.rebalance };
    await runLifecycle('add-node', args, seed, conn, request, (ctx, deps) =>
      addNode(
        ctx,
        { fresh, rebalance: args.rebalance, joinTimeoutMs: timeoutMs(args.joinTimeout, '--join-timeout'), syncTimeoutMs: timeoutMs(args.syncTimeout, '--sync-timeout'), ...(args.replicaOf !== undefined ? { replicaOf: args.replicaOf } : {}) },
        deps,
      ),
    );
  },
};
