import { Box, Text } from 'ink';
import type { TopologyNode } from '../topology/types.js';
import { masterStyle } from './slot-map.js';

export interface LegendProps {
  /** Masters in display order (their index gives mark and colour). */
  readonly masters: readonly TopologyNode[];
}

/** Which mark and colour is which master. */
export function Legend({ masters }: LegendProps) {
  return (
    <Box flexWrap="wrap" columnGap={2}>
      {masters.map((m, i) => {
        const { mark, color } = masterStyle(i);
        return (
          <Text key={m.id}>
            <Text color={color} bold>
              {mark}
            </Text>{' '}
            {m.addr}
          </Text>
        );
      })}
    </Box>
  );
}
