import type { CommandModule } from 'yargs';
import { replaceNode } from '../../lifecycle/replace-node.js';
import { parseAddr } from '../../redis/connection.js';
import { runLifecycle } from '../lifecycle-run.js';
import { resolveConnection, resolveSeed, withConnectionOptions, type ConnectionArgs } from '../options.js';
import { secondsOption, timeoutMs } from './lifecycle-options.js';

interface Args extends ConnectionArgs {
  readonly old: string;
  readonly new: string;
  readonly yes: boolean;
  readonly json: boolean;
  readonly journal?: string;
  readonly shutdown: boolean;
  readonly joinTimeout: number;
  readonly syncTimeout: number;
  readonly failoverTimeout: number;
}

export const replaceNodeCommand: CommandModule<object, Args> = {
  command: 'replace-node',
  describe: 'Move a master to a new node: join as its replica, full sync, graceful failover, remove the old one',
  builder: (y) =>
    withConnectionOptions(y)
      .option('old', { type: 'string', demandOption: true, describe: 'The master to replace (HOST:PORT or node id)', group: 'Node:' })
      .option('new', { type: 'string', demandOption: true, describe: 'The new node, HOST:PORT (empty, cluster mode, in no cluster)', group: 'Node:' })
      .option('shutdown', { type: 'boolean', default: false, describe: 'Shut the old node down once removed', group: 'Node:' })
      .option('join-timeout', secondsOption('Seconds to wait until every node knows the new node', 60))
      .option('sync-timeout', secondsOption('Seconds to wait for the full sync and catch-up', 600))
      .option('failover-timeout', secondsOption('Seconds to wait for the failover to complete everywhere', 60))
      .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation (required without a terminal)' })
      .option('journal', { type: 'string', describe: 'Journal file (default .slotpilot/replace-node-<time>.ndjson)' })
      .option('json', { type: 'boolean', default: false, describe: 'Print NDJSON events instead of lines' }) as never,
  handler: async (args) => {
    const seed = resolveSeed(args);
    const fresh = parseAddr(args.new, '--new');
    const conn = resolveConnection(args);
    const request = { old: args.old, new: args.new, shutdown: args.shutdown };
    await runLifecycle('replace-node', args, seed, conn, request, (ctx, deps) =>
      replaceNode(
        ctx,
        {
          old: args.old,
          fresh,
          shutdown: args.shutdown,
          joinTimeoutMs: timeoutMs(args.joinTimeout, '--join-timeout'),
          syncTimeoutMs: timeoutMs(args.syncTimeout, '--sync-timeout'),
          failoverTimeoutMs: timeoutMs(args.failoverTimeout, '--failover-timeout'),
        },
        deps,
      ),
    );
  },
};
