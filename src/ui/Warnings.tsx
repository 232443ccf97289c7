import { Box, Text } from 'ink';
import type { Problem } from '../topology/check-topology.js';

export interface WarningsProps {
  readonly problems: readonly Problem[];
  /** Most lines to show; the rest are counted. */
  readonly max: number;
}

const HINTS: Partial<Record<Problem['kind'], string>> = {
  'open-slot': 'run: slotpilot fix --seed …',
  uncovered: 'run: slotpilot fix --seed … (or assign the slots)',
  disagreement: 'wait for gossip to settle, or check the nodes named',
};

/** What makes moves unsafe right now, each with the way out. */
export function Warnings({ problems, max }: WarningsProps) {
  if (!problems.length) return <Text color="green">✓ all slots covered once, all nodes agree, no open slot, no failing node</Text>;
  const shown = problems.slice(0, Math.max(1, max));
  const hints = [...new Set(problems.map((p) => HINTS[p.kind]).filter(Boolean))];
  return (
    <Box flexDirection="column">
      {shown.map((p, i) => (
        <Text key={i} color="yellow" wrap="truncate-end">
          ⚠ {p.message}
        </Text>
      ))}
      {problems.length > shown.length ? <Text color="yellow">… and {problems.length - shown.length} more</Text> : null}
      {hints.map((h) => (
        <Text key={h} dimColor>
          {'  '}
          {h}
        </Text>
      ))}
    </Box>
  );
}
