import { Box, Text } from 'ink';

export interface KeyHelpProps {
  /** `[key, what]` pairs, shown on one line (wrapping on narrow terminals). */
  readonly keys: readonly (readonly [string, string])[];
}

/** The keyboard help line every screen ends with: always visible. */
export function KeyHelp({ keys }: KeyHelpProps) {
  return (
    <Box flexWrap="wrap" columnGap={2}>
      {keys.map(([k, what]) => (
        <Text key={k}>
          <Text bold inverse>{` ${k} `}</Text>
          <Text dimColor>{` ${what}`}</Text>
        </Text>
      ))}
    </Box>
  );
}
