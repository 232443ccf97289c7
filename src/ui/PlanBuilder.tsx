import { Box, Text } from 'ink';
import type { Plan } from '../planner/plan-schema.js';
import type { TopologyNode } from '../topology/types.js';
import { fieldsOf, STRATEGY_LABELS, type BuilderState, type Field } from './builder-state.js';
import { PlanPreview } from './PlanPreview.js';
import { masterStyle } from './slot-map.js';
import { visibleWindow } from './visible-window.js';

export interface PlanBuilderProps {
  /** The form's fields and cursor. */
  readonly state: BuilderState;
  /** Masters in display order, for the pickers and weights. */
  readonly masters: readonly TopologyNode[];
  /** The plan the form gives, or the planner's reason it cannot. */
  readonly preview: { readonly plan: Plan } | { readonly error: string };
  /** Terminal width, for the preview bars. */
  readonly columns: number;
  /** A line about the last save, if any. */
  readonly message: string | null;
  /** Terminal height: with many masters the fields and the preview scroll instead of overflowing. */
  readonly rows: number;
}

const nodeName = (masters: readonly TopologyNode[], i: number): string => {
  const n = masters[i];
  return n ? `${masterStyle(i).mark} ${n.addr} (${n.id.slice(0, 8)})` : '-';
};

function fieldLine(f: Field, s: BuilderState, masters: readonly TopologyNode[]): [string, string] {
  if (f === 'strategy') return ['strategy', STRATEGY_LABELS[s.strategy]];
  if (f === 'by') return ['balance by', s.by];
  if (f === 'threshold') return ['threshold', `${s.threshold} %`];
  if (f === 'node') return [s.strategy === 'drain' ? 'drain' : 'from', nodeName(masters, s.node)];
  if (f === 'target') return ['to', nodeName(masters, s.target)];
  if (f === 'count') return ['slots', String(s.count)];
  const id = f.slice('weight:'.length);
  const i = masters.findIndex((m) => m.id === id);
  return [`weight ${masterStyle(i).mark}`, `${s.weights[id] ?? 1}${(s.weights[id] ?? 1) === 0 ? ' (drain)' : ''}  ${masters[i]?.addr ?? ''}`];
}

/** The plan form (↑↓ pick a field, ←→ change it) with the live preview under it. */
export function PlanBuilder({ state, masters, preview, columns, message, rows }: PlanBuilderProps) {
  const fields = fieldsOf(state, masters);
  // Outside the form: app title, key help (two lines when narrow), one spare row (Ink redraws the
  // whole screen once a frame is as tall as the terminal); inside: title, margin, preview title,
  // moves line, up to two notes, the message.
  const notes = 'plan' in preview ? Math.min(2, preview.plan.summary.notes.length) : 0;
  const room = Math.max(4, rows - 5 - 4 - notes - (message ? 1 : 0));
  const nodes = 'plan' in preview ? preview.plan.summary.nodes.length : 1;
  const fieldRoom = fields.length + nodes <= room ? fields.length : Math.max(3, Math.ceil(room / 2));
  const { start, end } = visibleWindow(fields.length, fieldRoom, state.cursor);
  return (
    <Box flexDirection="column">
      <Text bold>build a plan</Text>
      {start > 0 ? <Text dimColor>  … {start} more above</Text> : null}
      {fields.slice(start, end).map((f, j) => {
        const [label, value] = fieldLine(f, state, masters);
        const on = start + j === state.cursor;
        return (
          <Text key={f} inverse={on} wrap="truncate-end">
            {on ? '›' : ' '} {label.padEnd(11)} {on ? '‹ ' : '  '}
            {value}
            {on ? ' ›' : ''}
          </Text>
        );
      })}
      {end < fields.length ? <Text dimColor>  … {fields.length - end} more below</Text> : null}
      <Box marginTop={1}>
        {'plan' in preview ? (
          <PlanPreview plan={preview.plan} columns={columns} by={state.strategy === 'move' ? 'slots' : state.by} maxNodes={Math.max(2, room - Math.min(fields.length, fieldRoom))} />
        ) : (
          <Text color="red">cannot plan: {preview.error}</Text>
        )}
      </Box>
      {message ? <Text color="cyan">{message}</Text> : null}
    </Box>
  );
}
