import type { CommandModule } from 'yargs';
import { RefusedError } from '../../errors.js';
import { decideFixes, fixPlan } from '../../executor/fix-plan.js';
import { connectNode } from '../../redis/connection.js';
import { readTopology } from '../../topology/read-topology.js';
import { confirm, executePlan, withApplyOptions, type ApplyArgs } from '../apply-options.js';
import { resolveConnection, resolveSeed, withConnectionOptions, type ConnectionArgs } from '../options.js';
import { printLine } from '../output.js';

type Args = ApplyArgs & ConnectionArgs;

export const fixCommand: CommandModule<object, Args> = {
  command: 'fix',
  describe: 'Close open slots left by anyone (slotpilot, redis-cli, a crash), finishing each move',
  builder: (y) => withApplyOptions(withConnectionOptions(y)) as never,
  handler: async (args) => {
    const seed = resolveSeed(args);
    const connection = resolveConnection(args);
    const t = await readTopology(seed, connection, { keys: false });
    const counts = new Map<string, number>();
    for (const o of t.openSlots.filter((x) => x.state === 'importing')) {
      const node = t.nodes.find((n) => n.id === o.node)!;
      const client = await connectNode(node, connection);
      try {
        counts.set(`${o.slot}:${o.node}`, Number(await client.call('CLUSTER', 'COUNTKEYSINSLOT', String(o.slot))));
      } finally {
        client.disconnect();
      }
    }
    const actions = decideFixes(t, (slot, node) => counts.get(`${slot}:${node}`) ?? 0);
    if (!actions.length) {
      printLine('no open slot; nothing to fix');
      return;
    }
    const refused = actions.filter((a) => a.kind === 'refuse');
    if (refused.length) throw new RefusedError(`${refused[0]!.why}${refused.length > 1 ? ` (and ${refused.length - 1} more)` : ''}; nothing was changed`);
    const addr = (id: string): string => t.nodes.find((n) => n.id === id)?.addr ?? id.slice(0, 8);
    for (const a of actions) {
      printLine(a.kind === 'finish' ? `slot ${a.slot}: ${a.why} ${addr(a.from)} → ${addr(a.to)}` : a.kind === 'close' ? `slot ${a.slot}: ${a.why} on ${addr(a.node)}` : '');
    }
    await confirm(`Fix ${actions.length} open slot(s) as above?`, args.yes);
    for (const a of actions) {
      if (a.kind !== 'close') continue;
      const client = await connectNode(t.nodes.find((n) => n.id === a.node)!, connection);
      try {
        await client.call('CLUSTER', 'SETSLOT', String(a.slot), 'STABLE');
      } finally {
        client.disconnect();
      }
    }
    const plan = fixPlan(t, actions);
    if (plan.moves.length) await executePlan(plan, args, { seed, connection, resume: true }, 'fix');
    printLine(`fixed ${actions.length} open slot(s)`);
  },
};
