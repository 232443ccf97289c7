import { Text } from 'ink';

export interface BarProps {
  /** 0..1 */
  readonly share: number;
  /** Characters wide. */
  readonly width: number;
  /** Colour of the filled part; the rest is dim. */
  readonly color?: string;
}

/** A plain text bar, exact to the character, for progress and before → after comparisons. */
export function Bar({ share, width, color }: BarProps) {
  const w = Math.max(1, width);
  const full = Math.max(0, Math.min(w, Math.round((Number.isFinite(share) ? share : 0) * w)));
  return (
    <Text>
      <Text color={color}>{'█'.repeat(full)}</Text>
      <Text dimColor>{'░'.repeat(w - full)}</Text>
    </Text>
  );
}
