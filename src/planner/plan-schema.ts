import { z } from 'zod';
import { SLOT_COUNT } from '../topology/types.js';

/** Plan files carry this version; readers refuse any other. */
export const PLAN_VERSION = 1;

const slot = z.number().int().min(0).max(SLOT_COUNT - 1);
const count = z.number().int().nonnegative();
const nodeId = z.string().regex(/^[0-9a-f]{40}$/, 'a 40-character hex node id');

/** One slot moving from one master to another. `keys`/`bytes` are the planner's estimate. */
export const moveSchema = z.object({
  slot,
  from: nodeId,
  to: nodeId,
  keys: count,
  bytes: count,
});

const loadSchema = z.object({ slots: count, keys: count, bytes: count });

/** A node's memory now, its limit and what it would use after the plan (see planner/capacity.ts). */
const memorySchema = z.object({
  used: count,
  /** maxmemory; 0: no limit. */
  max: count,
  policy: z.string().nullable(),
  projected: count,
  /** Whether the projection passes the fill limit of maxmemory (apply refuses it). */
  overflows: z.boolean(),
});

/** Per-node figures before and after the plan. */
export const nodeSummarySchema = z.object({
  id: nodeId,
  addr: z.string(),
  before: loadSchema,
  after: loadSchema,
  weight: z.number().nonnegative(),
  /** Known when the plan was made from a live cluster (absent in plans from a `cluster nodes` dump). */
  memory: memorySchema.optional(),
});

export const planSchema = z.object({
  kind: z.literal('slotpilot-plan'),
  version: z.literal(PLAN_VERSION),
  /** The goal and its options, as given (no secrets). */
  strategy: z.object({
    name: z.enum(['rebalance', 'drain', 'move', 'undo']),
    by: z.enum(['slots', 'keys', 'memory']),
    options: z.record(z.string(), z.unknown()),
  }),
  /** Facts the plan was made from, so `apply` can refuse a plan that no longer fits the cluster. */
  source: z.object({
    /** Seed address or topology file name the plan was made from. */
    from: z.string(),
    /** Masters known at planning time (id and address). */
    masters: z.array(z.object({ id: nodeId, addr: z.string() })),
    /** Whether per-slot key counts were known (false for a raw `cluster nodes` dump). */
    keysKnown: z.boolean(),
  }),
  moves: z.array(moveSchema),
  summary: z.object({
    nodes: z.array(nodeSummarySchema),
    moved: loadSchema,
    /** Estimated duration in seconds from the cost model (see docs/commands.md, plan). */
    estimatedSeconds: z.number().nonnegative(),
    /** Human notes: "already balanced", "slot 42 alone exceeds the target", ... */
    notes: z.array(z.string()),
  }),
});

export type Move = z.infer<typeof moveSchema>;
export type NodeSummary = z.infer<typeof nodeSummarySchema>;
export type Plan = z.infer<typeof planSchema>;
export type StrategyName = Plan['strategy']['name'];
export type BalanceBy = Plan['strategy']['by'];
