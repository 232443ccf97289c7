import { Box, Text } from 'ink';
import type { Problem } from '../topology/check-topology.js';

export interface WarningsProps {
  /** What `checkTopology` found. */
  readonly problems: readonly Problem[];
  /** Seed address, so the hints are commands that can be pasted as they are. */
  readonly seed: string;
  /** Most lines to show; the rest are counted. */
  readonly max: number;
}

const HINTS: Record<Problem['kind'], (seed: string) => string> = {
  'open-slot': (seed) => `fix: slotpilot fix --seed ${seed}`,
  uncovered: () => 'fix: assign the slots to a master (CLUSTER ADDSLOTS), then slotpilot check',
  disagreement: () => 'fix: wait a few seconds for gossip to settle; if it stays, check the nodes named',
  'node-failing': () => 'fix: bring the node back, or remove it from the cluster, before moving slots',
  'node-unreachable': () => 'fix: check that the node runs and this machine can reach it',
  'cluster-state': () => 'fix: wait until every master reports cluster_state:ok',
};

/** What makes moves unsafe right now, each with the way out. */
export function Warnings({ problems, seed, max }: WarningsProps) {
  if (!problems.length) return <Text color="green">✓ all slots covered once, all nodes agree, no open slot, no failing node</Text>;
  const shown = problems.slice(0, Math.max(1, max));
  const hints = [...new Set(problems.map((p) => HINTS[p.kind](seed)))];
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
