import type { PlanGoal } from '../planner/make-plan.js';
import type { BalanceBy } from '../planner/plan-schema.js';
import type { Topology, TopologyNode } from '../topology/types.js';

/** What the plan builder offers. `fill` is a rebalance that includes masters without slots. */
export const BUILDER_STRATEGIES = ['rebalance', 'fill', 'drain', 'move'] as const;
export type BuilderStrategy = (typeof BUILDER_STRATEGIES)[number];

export const STRATEGY_LABELS: Record<BuilderStrategy, string> = {
  rebalance: 'rebalance',
  fill: 'fill new masters',
  drain: 'drain a node',
  move: 'move slots between two nodes',
};

const BY: readonly BalanceBy[] = ['slots', 'keys', 'memory'];

/** The builder's fields, as the keyboard edits them. Pure data. */
export interface BuilderState {
  readonly strategy: BuilderStrategy;
  readonly by: BalanceBy;
  readonly threshold: number;
  /** Weight per master id; masters not listed weigh 1. */
  readonly weights: Readonly<Record<string, number>>;
  /** Index into the masters list: drain node, or move source. */
  readonly node: number;
  /** Index into the masters list: move target. */
  readonly target: number;
  /** Slots to move (move strategy). */
  readonly count: number;
  /** Which field has the cursor (index into `fieldsOf`). */
  readonly cursor: number;
}

/** A field of the builder form: `weight:<id>` carries the master it weighs. */
export type Field = 'strategy' | 'by' | 'threshold' | 'node' | 'target' | 'count' | `weight:${string}`;

export function initialBuilder(masters: readonly TopologyNode[]): BuilderState {
  const empty = masters.some((m) => m.slots.length === 0);
  return { strategy: empty ? 'fill' : 'rebalance', by: 'slots', threshold: 2, weights: {}, node: 0, target: Math.min(1, masters.length - 1), count: 100, cursor: 0 };
}

/** The fields the current strategy uses, in screen order. */
export function fieldsOf(s: BuilderState, masters: readonly TopologyNode[]): Field[] {
  switch (s.strategy) {
    case 'rebalance':
    case 'fill':
      return ['strategy', 'by', 'threshold', ...masters.map((m): Field => `weight:${m.id}`)];
    case 'drain':
      return ['strategy', 'by', 'node'];
    case 'move':
      return ['strategy', 'node', 'target', 'count'];
  }
}

const cycle = <T>(list: readonly T[], current: T, step: number): T => list[(list.indexOf(current) + step + list.length) % list.length]!;
const wrap = (i: number, n: number): number => (n ? (i + n) % n : 0);

/** ←/→ on the field under the cursor (`step` is -1 or +1; `big` moves faster, e.g. with shift). */
export function adjust(s: BuilderState, masters: readonly TopologyNode[], step: number, big = false): BuilderState {
  const field = fieldsOf(s, masters)[s.cursor];
  if (!field) return s;
  if (field === 'strategy') {
    const strategy = cycle(BUILDER_STRATEGIES, s.strategy, step);
    // A move needs two different nodes; a drain's pick may have left both pickers on one.
    const target = strategy === 'move' && s.target === s.node ? wrap(s.node + 1, masters.length) : s.target;
    return { ...s, strategy, target, cursor: 0 };
  }
  if (field === 'by') return { ...s, by: cycle(BY, s.by, step) };
  if (field === 'threshold') return { ...s, threshold: Math.max(0, Math.min(50, s.threshold + step * (big ? 5 : 1))) };
  if (field === 'node') return { ...s, node: pickNext(s.node, step, masters.length, s.strategy === 'move' ? s.target : -1) };
  if (field === 'target') return { ...s, target: pickNext(s.target, step, masters.length, s.node) };
  if (field === 'count') {
    const owned = slotCount(masters[s.node]);
    return { ...s, count: Math.max(1, Math.min(Math.max(1, owned), s.count + step * (big ? 1000 : 10))) };
  }
  const id = field.slice('weight:'.length);
  const w = Math.max(0, Math.min(20, (s.weights[id] ?? 1) + step * (big ? 1 : 0.5)));
  return { ...s, weights: { ...s.weights, [id]: w } };
}

/** The next node index in `step`'s direction, skipping `other` (a move's other end) when there is a choice. */
function pickNext(current: number, step: number, n: number, other: number): number {
  const next = wrap(current + step, n);
  return next === other && n > 2 ? wrap(next + step, n) : next;
}

/** ↑/↓: move the cursor over the strategy's fields. */
export function moveCursor(s: BuilderState, masters: readonly TopologyNode[], step: number): BuilderState {
  return { ...s, cursor: wrap(s.cursor + step, fieldsOf(s, masters).length) };
}

function slotCount(n: TopologyNode | undefined): number {
  return n ? n.slots.reduce((a, [x, y]) => a + y - x + 1, 0) : 0;
}

/** The planner goal the form describes; throws the planner's own UsageError texts for bad combinations. */
export function goalOf(s: BuilderState, masters: readonly TopologyNode[]): PlanGoal {
  // A refresh can shrink the masters list (a drained master turns replica): clamp the pickers.
  const pick = (i: number): string => (masters[Math.min(i, masters.length - 1)] ?? masters[0])?.id ?? '';
  switch (s.strategy) {
    case 'rebalance':
    case 'fill':
      return { strategy: 'rebalance', by: s.by, weights: s.weights, threshold: s.threshold, useEmptyMasters: s.strategy === 'fill' };
    case 'drain':
      return { strategy: 'drain', node: pick(s.node), by: s.by, useEmptyMasters: true };
    case 'move':
      return { strategy: 'move', from: pick(s.node), to: pick(s.target), count: s.count };
  }
}

/** Masters in display order (by address), the order of marks and colours everywhere in the UI. */
export function mastersInOrder(t: Topology): TopologyNode[] {
  return t.nodes.filter((n) => n.role === 'master').sort((a, b) => (a.host === b.host ? a.port - b.port : a.host < b.host ? -1 : 1));
}
