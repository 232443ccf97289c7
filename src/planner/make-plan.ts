import { UsageError } from '../errors.js';
import { isSuspect } from '../topology/node-flags.js';
import { formatSlotRanges } from '../topology/slot-ranges.js';
import { compareText } from '../util/format.js';
import type { Topology, TopologyNode } from '../topology/types.js';
import { assignPool, balance, cheapestSlots, integerTargets, type Assignment, type Participant } from './balance.js';
import { estimateSeconds } from './estimate.js';
import { PLAN_VERSION, type BalanceBy, type Move, type NodeSummary, type Plan } from './plan-schema.js';
import { mastersOf, measureOf, slotCostsOf, slotsByOwner, type SlotCosts } from './slot-costs.js';
import { nodeCapacity, overflows } from './capacity.js';

export type PlanGoal =
  | {
      readonly strategy: 'rebalance';
      readonly by: BalanceBy;
      /** node id → weight; masters not named weigh 1. Weight 0 drains. */
      readonly weights?: Readonly<Record<string, number>>;
      /** Percent off target each master may be before anything moves (default 2). */
      readonly threshold?: number;
      /** Include masters that own no slot (nodes just added). */
      readonly useEmptyMasters?: boolean;
    }
  | { readonly strategy: 'drain'; readonly node: string; readonly by?: BalanceBy; readonly useEmptyMasters?: boolean }
  | { readonly strategy: 'move'; readonly from: string; readonly to: string; readonly count?: number; readonly slots?: readonly number[] }
  | { readonly strategy: 'undo'; readonly moves: readonly Pick<Move, 'slot' | 'from' | 'to'>[] };

export const DEFAULT_THRESHOLD = 2;

interface Drafted {
  readonly assignments: readonly Assignment[];
  readonly weights: ReadonlyMap<string, number>;
  readonly notes: string[];
}

function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function isHealthy(n: TopologyNode): boolean {
  return !isSuspect(n);
}

function requireKeys(costs: SlotCosts, by: BalanceBy): void {
  if (by !== 'slots' && !costs.keysKnown) {
    throw new UsageError(`--by ${by} needs per-slot key counts: plan from a live cluster (--seed) or a slotpilot snapshot, not a cluster nodes dump`);
  }
}

/** Notes for slots that alone weigh more than a master's share: they cannot be split. */
function hugeSlotNotes(parts: readonly Participant[], measure: (s: number) => number, by: BalanceBy): string[] {
  if (by === 'slots') return [];
  const total = parts.reduce((sum, p) => sum + p.slots.reduce((a, s) => a + measure(s), 0), 0);
  const wsum = parts.reduce((a, p) => a + p.weight, 0);
  const share = wsum > 0 ? total / wsum : 0;
  const huge = parts.flatMap((p) => p.slots.filter((s) => share > 0 && measure(s) > share));
  if (!huge.length) return [];
  return [`slot(s) ${formatSlotRanges(huge)} alone hold more ${by === 'keys' ? 'keys' : 'bytes'} than one master's share; a slot cannot be split, so the balance stops short`];
}

function draftRebalance(t: Topology, goal: Extract<PlanGoal, { strategy: 'rebalance' }>, costs: SlotCosts): Drafted {
  requireKeys(costs, goal.by);
  const owned = slotsByOwner(t);
  const weights = goal.weights ?? {};
  for (const [id, w] of Object.entries(weights)) {
    if (!Number.isFinite(w) || w < 0) throw new UsageError(`weight of ${id.slice(0, 8)} must be a number >= 0, got ${w}`);
  }
  const masters = mastersOf(t).filter((m) => (owned.get(m.id)?.length ?? 0) > 0 || goal.useEmptyMasters || (weights[m.id] ?? 0) > 0);
  // By memory, masters that each set a maxmemory take shares in proportion to it: the same fraction
  // of each one's limit in use, so a node twice the size holds twice the data.
  const sized = goal.by === 'memory' && masters.length > 0 && masters.every((m) => (m.maxMemory ?? 0) > 0);
  const smallest = sized ? Math.min(...masters.map((m) => m.maxMemory!)) : 1;
  const defaultWeight = (m: TopologyNode): number => (!isHealthy(m) ? 0 : sized ? m.maxMemory! / smallest : 1);
  const parts: Participant[] = masters
    .map((m) => ({ id: m.id, weight: weights[m.id] ?? defaultWeight(m), slots: owned.get(m.id) ?? [] }))
    .sort(byId);
  if (!parts.some((p) => p.weight > 0)) throw new UsageError('every master would weigh 0: at least one master must keep slots');
  const measure = measureOf(costs, goal.by);
  const cost = goal.by === 'memory' ? measureOf(costs, 'memory') : measureOf(costs, 'keys');
  const threshold = goal.threshold ?? DEFAULT_THRESHOLD;
  const result = balance(parts, measure, cost, goal.by === 'slots', threshold);
  const notes = result.balanced ? [`already balanced: every master is within ${threshold}% of its ${goal.by} target; nothing to move`] : hugeSlotNotes(parts, measure, goal.by);
  if (sized && new Set(masters.map((m) => m.maxMemory)).size > 1) notes.push('by memory: each master takes a share in proportion to its maxmemory');
  const emptyLeft = mastersOf(t).filter((m) => !owned.get(m.id)?.length && !goal.useEmptyMasters && weights[m.id] === undefined);
  if (emptyLeft.length) notes.push(`${emptyLeft.length} master(s) without slots left out (add --use-empty-masters to fill them): ${emptyLeft.map((m) => m.addr).join(', ')}`);
  return { assignments: result.assignments, weights: new Map(parts.map((p) => [p.id, p.weight])), notes };
}

function draftDrain(t: Topology, goal: Extract<PlanGoal, { strategy: 'drain' }>, costs: SlotCosts): Drafted {
  const by = goal.by ?? 'slots';
  requireKeys(costs, by);
  const owned = slotsByOwner(t);
  const node = t.nodes.find((n) => n.id === goal.node);
  if (!node || node.role !== 'master') throw new UsageError(`--node ${goal.node.slice(0, 8)} is not a master of this cluster`);
  const pool = owned.get(node.id) ?? [];
  const others = mastersOf(t)
    .filter((m) => m.id !== node.id && isHealthy(m) && ((owned.get(m.id)?.length ?? 0) > 0 || goal.useEmptyMasters))
    .sort(byId);
  if (!others.length) throw new UsageError(`cannot drain ${node.addr}: it is the last master with slots (add a master first, or use --use-empty-masters)`);
  const measure = measureOf(costs, by);
  const loads = others.map((m) => (owned.get(m.id) ?? []).reduce((sum, s) => sum + measure(s), 0));
  const total = loads.reduce((a, b) => a + b, 0) + pool.reduce((a, s) => a + measure(s), 0);
  const targets = by === 'slots' ? integerTargets(total, others.map(() => 1)) : others.map(() => total / others.length);
  const receivers = others.map((m, i) => ({ id: m.id, deficit: targets[i]! - loads[i]! }));
  const assignments = assignPool(pool, receivers, measure, by === 'slots', () => node.id);
  const notes = pool.length ? [] : [`${node.addr} owns no slot; nothing to drain`];
  return { assignments, weights: new Map([[node.id, 0], ...others.map((m) => [m.id, 1] as const)]), notes };
}

function draftMove(t: Topology, goal: Extract<PlanGoal, { strategy: 'move' }>, costs: SlotCosts): Drafted {
  if (goal.from === goal.to) throw new UsageError('--from and --to are the same node');
  const owned = slotsByOwner(t);
  const from = t.nodes.find((n) => n.id === goal.from);
  const to = t.nodes.find((n) => n.id === goal.to);
  if (!from || from.role !== 'master') throw new UsageError(`--from ${goal.from.slice(0, 8)} is not a master of this cluster`);
  if (!to || to.role !== 'master') throw new UsageError(`--to ${goal.to.slice(0, 8)} is not a master of this cluster`);
  const mine = owned.get(from.id) ?? [];
  let slots: number[];
  if (goal.slots) {
    const foreign = goal.slots.filter((s) => t.slotOwners[s] !== from.id);
    if (foreign.length) throw new UsageError(`slot(s) ${formatSlotRanges(foreign)} are not owned by --from ${from.addr}`);
    slots = [...goal.slots].sort((a, b) => a - b);
  } else if (goal.count !== undefined) {
    if (!Number.isInteger(goal.count) || goal.count < 1) throw new UsageError(`Expected --count to be a whole number >= 1, got ${goal.count}`);
    if (goal.count > mine.length) throw new UsageError(`--count ${goal.count} is more than the ${mine.length} slots ${from.addr} owns`);
    slots = cheapestSlots(mine, goal.count, measureOf(costs, 'keys'));
  } else {
    throw new UsageError('move needs --count N or --slots LIST');
  }
  return { assignments: slots.map((slot) => ({ slot, from: from.id, to: to.id })), weights: new Map(), notes: [] };
}

function draftUndo(t: Topology, goal: Extract<PlanGoal, { strategy: 'undo' }>): Drafted {
  const notes: string[] = [];
  const seen = new Set<number>();
  const assignments: Assignment[] = [];
  const back: number[] = [];
  for (const m of goal.moves) {
    if (seen.has(m.slot)) throw new UsageError(`slot ${m.slot} appears twice in what is to be undone`);
    seen.add(m.slot);
    const owner = t.slotOwners[m.slot];
    if (owner === m.from) back.push(m.slot);
    else if (owner !== m.to) throw new UsageError(`slot ${m.slot} is now owned by ${owner?.slice(0, 8) ?? 'nobody'}, neither end of its move; cannot undo it safely`);
    else assignments.push({ slot: m.slot, from: m.to, to: m.from });
  }
  for (const id of new Set(assignments.flatMap((a) => [a.from, a.to]))) {
    const n = t.nodes.find((x) => x.id === id);
    if (!n || n.role !== 'master') throw new UsageError(`node ${id.slice(0, 8)} of the original move is no longer a master of this cluster`);
  }
  if (back.length) notes.push(`slot(s) ${formatSlotRanges(back)} are already back with their original owner`);
  return { assignments, weights: new Map(), notes };
}

function summarize(t: Topology, moves: readonly Move[], weights: ReadonlyMap<string, number>, costs: SlotCosts): NodeSummary[] {
  const owned = slotsByOwner(t);
  const load = new Map<string, { slots: number; keys: number; bytes: number }>();
  for (const m of mastersOf(t)) {
    const slots = owned.get(m.id) ?? [];
    load.set(m.id, {
      slots: slots.length,
      keys: slots.reduce((a, s) => a + costs.keys[s]!, 0),
      bytes: slots.reduce((a, s) => a + costs.bytes[s]!, 0),
    });
  }
  const after = new Map([...load].map(([id, l]) => [id, { ...l }]));
  for (const m of moves) {
    const from = after.get(m.from)!;
    const to = after.get(m.to)!;
    from.slots--;
    from.keys -= m.keys;
    from.bytes -= m.bytes;
    to.slots++;
    to.keys += m.keys;
    to.bytes += m.bytes;
  }
  const flow = new Map<string, { in: number; out: number }>();
  for (const m of moves) {
    for (const [id, dir] of [[m.from, 'out'], [m.to, 'in']] as const) {
      const f = flow.get(id) ?? { in: 0, out: 0 };
      f[dir] += m.bytes;
      flow.set(id, f);
    }
  }
  return mastersOf(t)
    .sort((a, b) => compareText(a.host, b.host) || a.port - b.port || byId(a, b))
    .map((m) => {
      const f = flow.get(m.id) ?? { in: 0, out: 0 };
      const c = nodeCapacity(m, f.in, f.out);
      const memory = m.usedMemory !== undefined ? { used: c.used, max: c.max, policy: c.policy, projected: c.projected, overflows: overflows(c) } : undefined;
      return { id: m.id, addr: m.addr, before: load.get(m.id)!, after: after.get(m.id)!, weight: weights.get(m.id) ?? 1, ...(memory ? { memory } : {}) };
    });
}

/**
 * Plan a goal on a topology. Pure and deterministic: no I/O, no clock, no randomness, so the same
 * input always gives a byte-identical plan. Throws UsageError for goals that cannot be planned.
 */
export function makePlan(t: Topology, goal: PlanGoal, source: string): Plan {
  const costs = slotCostsOf(t);
  const drafted =
    goal.strategy === 'rebalance'
      ? draftRebalance(t, goal, costs)
      : goal.strategy === 'drain'
        ? draftDrain(t, goal, costs)
        : goal.strategy === 'move'
          ? draftMove(t, goal, costs)
          : draftUndo(t, goal);
  const moves: Move[] = drafted.assignments
    .map((a) => ({ slot: a.slot, from: a.from, to: a.to, keys: costs.keys[a.slot]!, bytes: costs.bytes[a.slot]! }))
    .sort((a, b) => a.slot - b.slot);
  const { strategy, ...options } = goal;
  const by: BalanceBy = goal.strategy === 'rebalance' ? goal.by : goal.strategy === 'drain' ? (goal.by ?? 'slots') : 'slots';
  const recorded = strategy === 'undo' ? { moves: (options as { moves: unknown[] }).moves.length } : options;
  return {
    kind: 'slotpilot-plan',
    version: PLAN_VERSION,
    strategy: { name: strategy, by, options: JSON.parse(JSON.stringify(recorded)) as Record<string, unknown> },
    source: {
      from: source,
      masters: mastersOf(t)
        .sort(byId)
        .map((m) => ({ id: m.id, addr: m.addr })),
      keysKnown: costs.keysKnown,
    },
    moves,
    summary: {
      nodes: summarize(t, moves, drafted.weights, costs),
      moved: {
        slots: moves.length,
        keys: moves.reduce((a, m) => a + m.keys, 0),
        bytes: moves.reduce((a, m) => a + m.bytes, 0),
      },
      estimatedSeconds: estimateSeconds(moves),
      notes: drafted.notes,
    },
  };
}
