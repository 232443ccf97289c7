import { Box, Text } from 'ink';
import type { Plan } from '../planner/plan-schema.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';

export interface ConfirmStartProps {
  /** The plan waiting for a yes. */
  readonly plan: Plan;
  /** Concurrency and limits the run will start with. */
  readonly settings: string;
}

/** The explicit confirmation: what changes, where, roughly how long. Nothing moves before `y`. */
export function ConfirmStart({ plan, settings }: ConfirmStartProps) {
  const m = plan.summary.moved;
  const changes = plan.summary.nodes.filter((n) => n.before.slots !== n.after.slots);
  return (
    <Box flexDirection="column" borderStyle="round" borderColor="yellow" paddingX={1}>
      <Text bold color="yellow">
        Start moving slots?
      </Text>
      <Text>
        This moves {formatCount(m.slots)} slots ({plan.source.keysKnown ? `${formatCount(m.keys)} keys, ${formatBytes(m.bytes)}` : 'keys unknown'}) between {changes.length} masters, about {formatDuration(plan.summary.estimatedSeconds)}:
      </Text>
      {changes.map((n) => (
        <Text key={n.id}>
          {'  '}
          {n.addr} ({n.id.slice(0, 8)}): {n.before.slots} → {n.after.slots} slots
          {n.after.slots > n.before.slots ? <Text color="green"> +{n.after.slots - n.before.slots}</Text> : <Text color="yellow"> -{n.before.slots - n.after.slots}</Text>}
        </Text>
      ))}
      <Text dimColor>{settings}</Text>
      <Text>
        Press <Text bold>y</Text> to start, <Text bold>n</Text> or <Text bold>esc</Text> to go back.
      </Text>
    </Box>
  );
}
