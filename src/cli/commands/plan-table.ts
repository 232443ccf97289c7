import type { Plan } from '../../planner/plan-schema.js';
import { formatBytes, formatCount } from '../../util/format.js';
import { FILL_LIMIT } from '../../planner/capacity.js';

/** Compact per-node before → after table and totals, for `plan` and confirmations. */
export function planTable(plan: Plan): string[] {
  const s = plan.strategy;
  const lines = [`${s.name}${s.name === 'rebalance' || s.name === 'drain' ? ` by ${s.by}` : ''} on ${plan.source.from}`];
  // used_memory now → projected, over maxmemory where one is set; a target that would pass the fill
  // limit is marked (apply refuses it).
  const limits = plan.summary.nodes.some((n) => n.memory);
  const used = (n: Plan['summary']['nodes'][number]): string =>
    !n.memory ? '?' : `${formatBytes(n.memory.used)} → ${formatBytes(n.memory.projected)}${n.memory.max ? ` / ${formatBytes(n.memory.max)}` : ''}${n.memory.overflows ? ' OVER' : ''}`;
  const rows = plan.summary.nodes.map((n) => [
    `${n.addr} (${n.id.slice(0, 8)})`,
    `${n.before.slots} → ${n.after.slots}`,
    plan.source.keysKnown ? `${formatCount(n.before.keys)} → ${formatCount(n.after.keys)}` : '?',
    plan.source.keysKnown ? `${formatBytes(n.before.bytes)} → ${formatBytes(n.after.bytes)}` : '?',
    ...(limits ? [used(n)] : []),
  ]);
  const head = ['master', 'slots', 'keys', 'memory', ...(limits ? ['used → projected / max'] : [])];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ')}`;
  lines.push(fmt(head), ...rows.map(fmt));
  const m = plan.summary.moved;
  lines.push(`moves: ${formatCount(m.slots)} slots, ${plan.source.keysKnown ? `${formatCount(m.keys)} keys, ${formatBytes(m.bytes)}` : 'keys unknown (offline topology)'}; estimated ${plan.summary.estimatedSeconds} s`);
  for (const note of plan.summary.notes) lines.push(`note: ${note}`);
  for (const n of plan.summary.nodes.filter((x) => x.memory?.overflows)) lines.push(`warning: ${n.addr} would pass ${Math.round(FILL_LIMIT * 100)}% of its maxmemory; apply refuses this plan unless --ignore-capacity`);
  return lines;
}
