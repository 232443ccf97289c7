import { Box, Text } from 'ink';
import type { Plan } from '../planner/plan-schema.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';
import { Bar } from './Bar.js';

export interface PlanPreviewProps {
  /** The plan to preview. */
  readonly plan: Plan;
  /** Terminal width, for the bars. */
  readonly columns: number;
  /** What the bars compare. */
  readonly by: 'slots' | 'keys' | 'memory';
  /** Most master lines to show; masters that change most come first when some must go. */
  readonly maxNodes?: number;
}

const pick = (l: { slots: number; keys: number; bytes: number }, by: PlanPreviewProps['by']): number => (by === 'slots' ? l.slots : by === 'keys' ? l.keys : l.bytes);
const show = (v: number, by: PlanPreviewProps['by']): string => (by === 'memory' ? formatBytes(v) : formatCount(v));

/** Per master: before → after as two bars, then what moves and how long it should take. */
export function PlanPreview({ plan, columns, by, maxNodes = Infinity }: PlanPreviewProps) {
  const all = plan.summary.nodes;
  const change = (n: (typeof all)[number]): number => Math.abs(pick(n.after, by) - pick(n.before, by));
  const nodes = all.length <= maxNodes ? all : [...all].sort((a, b) => change(b) - change(a)).slice(0, Math.max(1, maxNodes - 1));
  const max = Math.max(1, ...all.flatMap((n) => [pick(n.before, by), pick(n.after, by)]));
  const barWidth = Math.max(6, Math.floor((columns - 50) / 2));
  const m = plan.summary.moved;
  return (
    <Box flexDirection="column">
      <Text dimColor>preview ({by}): before → after</Text>
      {nodes.map((n) => {
        const before = pick(n.before, by);
        const after = pick(n.after, by);
        const mem = n.memory;
        return (
          <Text key={n.id} wrap="truncate-end">
            {n.addr.padEnd(20).slice(0, 20)} <Bar share={before / max} width={barWidth} color="gray" /> → <Bar share={after / max} width={barWidth} color={after > before ? 'green' : after < before ? 'yellow' : undefined} />{' '}
            {`${show(before, by)} → ${show(after, by)}`}
            {mem?.max ? <Text color={mem.overflows ? 'red' : undefined} dimColor={!mem.overflows}>{` · ${formatBytes(mem.projected)}/${formatBytes(mem.max)}${mem.overflows ? ' OVER maxmemory' : ''}`}</Text> : null}
          </Text>
        );
      })}
      {nodes.length < all.length ? <Text dimColor>… {all.length - nodes.length} more masters, unchanged or changing least</Text> : null}
      <Text bold>
        moves: {formatCount(m.slots)} slots, {plan.source.keysKnown ? `${formatCount(m.keys)} keys, ${formatBytes(m.bytes)}` : 'keys unknown'} · estimated {formatDuration(plan.summary.estimatedSeconds)}
      </Text>
      {plan.summary.notes.slice(0, 2).map((note) => (
        <Text key={note} dimColor wrap="truncate-end">
          note: {note}
        </Text>
      ))}
    </Box>
  );
}
