import type { CommandModule } from 'yargs';
import { ExitCode } from '../../errors.js';
import { checkTopology, type Problem } from '../../topology/check-topology.js';
import { readTopology } from '../../topology/read-topology.js';
import type { Topology } from '../../topology/types.js';
import { withConnectionOptions, resolveConnection, resolveSeed, type ConnectionArgs } from '../options.js';
import { printJson, printLine } from '../output.js';
import { compareText } from '../../util/format.js';

interface CheckArgs extends ConnectionArgs {
  readonly json?: boolean;
}

function nodeRows(t: Topology): string[] {
  const masters = t.nodes
    .filter((n) => n.role === 'master')
    .sort((a, b) => compareText(a.host, b.host) || a.port - b.port);
  return masters.map((m) => {
    const slots = m.slots.reduce((sum, [a, b]) => sum + b - a + 1, 0);
    const state = m.reachable ? (m.clusterState ?? '?') : 'unreachable';
    return `  ${m.addr.padEnd(21)} ${m.id.slice(0, 8)}  ${String(slots).padStart(5)} slots  ${String(m.keys ?? '?').padStart(9)} keys  ${String(m.replicas.length)} replica(s)  ${state}`;
  });
}

function printHuman(t: Topology, problems: readonly Problem[]): void {
  const masters = t.nodes.filter((n) => n.role === 'master');
  const covered = t.slotOwners.filter((o) => o !== null).length;
  const keys = masters.reduce((sum, m) => sum + (m.keys ?? 0), 0);
  printLine(`cluster at ${t.seed}: ${masters.length} masters, ${t.nodes.length - masters.length} replicas, ${covered}/16384 slots covered, ${keys} keys`);
  for (const row of nodeRows(t)) printLine(row);
  if (!problems.length) {
    printLine('OK: all slots covered once, all nodes agree, no open slot, no failing node');
    return;
  }
  printLine(`${problems.length} problem(s):`);
  for (const p of problems) printLine(`  ${p.kind.padEnd(16)} ${p.message}`);
  if (problems.some((p) => p.kind === 'open-slot')) printLine(`hint: slotpilot fix --seed ${t.seed} closes open slots`);
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: 'Report cluster health: coverage, agreement, open slots, failing nodes (exit 3 on problems)',
  builder: (y) => withConnectionOptions(y).option('json', { type: 'boolean', describe: 'Print one JSON object' }),
  handler: async (args) => {
    const seed = resolveSeed(args);
    const topology = await readTopology(seed, resolveConnection(args));
    const problems = checkTopology(topology);
    if (args.json) {
      printJson({
        healthy: problems.length === 0,
        seed: topology.seed,
        readAt: topology.readAt,
        nodes: topology.nodes.map(({ id, addr, role, masterId, flags, reachable, clusterState, slots, keys, usedMemory }) => ({
          id, addr, role, masterId, flags, reachable, clusterState, slots, keys, usedMemory,
        })),
        problems,
      });
    } else {
      printHuman(topology, problems);
    }
    if (problems.length) process.exitCode = ExitCode.problems;
  },
};
