import { readFileSync } from 'node:fs';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { appliedMoves, readJournal } from '../journal/journal.js';
import { makePlan, type PlanGoal } from '../planner/make-plan.js';
import { readPlanFile } from '../planner/plan-file.js';
import type { BalanceBy, Plan } from '../planner/plan-schema.js';
import { resolveMaster } from '../planner/resolve-node.js';
import { ClusterNodesParseError, topologyFromClusterNodes } from '../topology/parse-cluster-nodes.js';
import { readTopology } from '../topology/read-topology.js';
import { parseSlotList } from '../topology/slot-ranges.js';
import { parseSnapshot } from '../topology/snapshot.js';
import type { Topology } from '../topology/types.js';
import { resolveConnection, resolveSeed, type ConnectionArgs } from './options.js';

export const STRATEGIES = ['rebalance', 'drain', 'move', 'undo'] as const;

/** The options that describe a plan, shared by `plan`, `rebalance` and the TUI's defaults. */
export function withPlanOptions<T>(y: Argv<T>, defaultStrategy?: (typeof STRATEGIES)[number]) {
  return y
    .option('strategy', { choices: STRATEGIES, default: defaultStrategy, describe: 'What to plan', group: 'Plan:' })
    .option('by', { choices: ['slots', 'keys', 'memory'] as const, default: 'slots' as const, describe: 'Balance slot counts, keys or memory', group: 'Plan:' })
    .option('weight', { type: 'string', array: true, describe: 'NODE=W (repeatable); 0 drains a node', group: 'Plan:' })
    .option('threshold', { type: 'number', default: 2, describe: 'Percent off target tolerated before anything moves', group: 'Plan:' })
    .option('use-empty-masters', { type: 'boolean', default: false, describe: 'Give slots to masters that have none', group: 'Plan:' })
    .option('node', { type: 'string', describe: 'drain: the master to empty', group: 'Plan:' })
    .option('from', { type: 'string', describe: 'move: source master', group: 'Plan:' })
    .option('to', { type: 'string', describe: 'move: target master', group: 'Plan:' })
    .option('count', { type: 'number', describe: 'move: how many slots (the cheapest)', group: 'Plan:' })
    .option('slots', { type: 'string', describe: 'move: which slots, e.g. 0-99,200', group: 'Plan:' })
    .option('undo-plan', { type: 'string', describe: 'undo: reverse this plan', group: 'Plan:' })
    .option('undo-journal', { type: 'string', describe: 'undo: reverse the moves this journal records as done', group: 'Plan:' });
}

export interface PlanArgs {
  readonly strategy?: (typeof STRATEGIES)[number];
  readonly by: BalanceBy;
  readonly weight?: readonly string[];
  readonly threshold: number;
  readonly useEmptyMasters: boolean;
  readonly node?: string;
  readonly from?: string;
  readonly to?: string;
  readonly count?: number;
  readonly slots?: string;
  readonly undoPlan?: string;
  readonly undoJournal?: string;
}

function need<T>(value: T | undefined, message: string): T {
  if (value === undefined || value === '') throw new UsageError(message);
  return value;
}

function parseWeights(t: Topology, items: readonly string[]): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const item of items) {
    const eq = item.lastIndexOf('=');
    const value = eq > 0 ? item.slice(eq + 1).trim() : '';
    const w = value === '' ? NaN : Number(value);
    if (eq <= 0 || !Number.isFinite(w) || w < 0) throw new UsageError(`Expected --weight to be NODE=W with W a number >= 0, got "${item}"`);
    weights[resolveMaster(t, item.slice(0, eq), '--weight').id] = w;
  }
  return weights;
}

/** Turn command-line options into a planner goal, resolving node names against the topology. */
export function goalFromArgs(t: Topology, args: PlanArgs): PlanGoal {
  if (!Number.isFinite(args.threshold) || args.threshold < 0) throw new UsageError(`Expected --threshold to be a percentage >= 0, got ${args.threshold}`);
  switch (need(args.strategy, 'missing --strategy rebalance|drain|move|undo')) {
    case 'rebalance':
      return { strategy: 'rebalance', by: args.by, weights: parseWeights(t, args.weight ?? []), threshold: args.threshold, useEmptyMasters: args.useEmptyMasters };
    case 'drain':
      return { strategy: 'drain', node: resolveMaster(t, need(args.node, 'drain needs --node NODE'), '--node').id, by: args.by, useEmptyMasters: args.useEmptyMasters };
    case 'move': {
      const from = resolveMaster(t, need(args.from, 'move needs --from NODE'), '--from').id;
      const to = resolveMaster(t, need(args.to, 'move needs --to NODE'), '--to').id;
      if (args.slots !== undefined && args.count !== undefined) throw new UsageError('give either --count or --slots, not both');
      return { strategy: 'move', from, to, ...(args.slots !== undefined ? { slots: parseSlotList(String(args.slots)) } : {}), ...(args.count !== undefined ? { count: args.count } : {}) };
    }
    case 'undo': {
      if (args.undoPlan) return { strategy: 'undo', moves: readPlanFile(args.undoPlan).moves };
      if (args.undoJournal) return { strategy: 'undo', moves: appliedMoves(readJournal(args.undoJournal)) };
      throw new UsageError('undo needs --undo-plan FILE or --undo-journal FILE');
    }
  }
}

/** A topology from a saved file: a slotpilot snapshot, or raw `redis-cli cluster nodes` text. */
export function readTopologyFile(path: string): Topology {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read topology file ${path}`);
  }
  if (text.trimStart().startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UsageError(`${path} is neither a slotpilot snapshot nor cluster nodes output (invalid JSON)`);
    }
    return parseSnapshot(json, path);
  }
  try {
    return topologyFromClusterNodes(text, path);
  } catch (error) {
    if (error instanceof ClusterNodesParseError) throw new UsageError(`${path} is neither a slotpilot snapshot nor cluster nodes output (${error.message})`);
    throw error;
  }
}

/** Read the topology (live from --seed, or from --topology FILE) and plan the goal the options describe. */
export async function planFromArgs(args: PlanArgs & ConnectionArgs & { readonly topology?: string }): Promise<{ plan: Plan; topology: Topology }> {
  if (args.topology && args.seed) throw new UsageError('give either --seed or --topology, not both');
  const topology = args.topology ? readTopologyFile(args.topology) : await readTopology(resolveSeed(args), resolveConnection(args));
  const plan = makePlan(topology, goalFromArgs(topology, args), args.topology ?? topology.seed);
  return { plan, topology };
}
