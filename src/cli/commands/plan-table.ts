import type { Plan } from '../../planner/plan-schema.js';
import { formatBytes, formatCount } from '../../util/format.js';

/** Compact per-node before → after table and totals, for `plan` and confirmations. */
export function planTable(plan: Plan): string[] {
  const s = plan.strategy;
  const lines = [`${s.name}${s.name === 'rebalance' || s.name === 'drain' ? ` by ${s.by}` : ''} on ${plan.source.from}`];
  const rows = plan.summary.nodes.map((n) => [
    `${n.addr} (${n.id.slice(0, 8)})`,
    `${n.before.slots} → ${n.after.slots}`,
    plan.source.keysKnown ? `${formatCount(n.before.keys)} → ${formatCount(n.after.keys)}` : '?',
    plan.source.keysKnown ? `${formatBytes(n.before.bytes)} → ${formatBytes(n.after.bytes)}` : '?',
  ]);
  const head = ['master', 'slots', 'keys', 'memory'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]): string => `  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('   ')}`;
  lines.push(fmt(head), ...rows.map(fmt));
  const m = plan.summary.moved;
  lines.push(`moves: ${formatCount(m.slots)} slots, ${plan.source.keysKnown ? `${formatCount(m.keys)} keys, ${formatBytes(m.bytes)}` : 'keys unknown (offline topology)'}; estimated ${plan.summary.estimatedSeconds} s`);
  for (const note of plan.summary.notes) lines.push(`note: ${note}`);
  return lines;
}
