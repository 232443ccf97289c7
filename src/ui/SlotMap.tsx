import { Box, Text } from 'ink';

/** One cell of the map: a character and its colour. */
export interface MapCell {
  readonly mark: string;
  readonly color?: string;
  readonly dim?: boolean;
}

export interface SlotMapProps {
  /** Cells in slot order; `width` of them per row. */
  readonly cells: readonly MapCell[];
  /** Cells per row. */
  readonly width: number;
  /** Title over the map. */
  readonly title: string;
}

const same = (a: MapCell, b: MapCell): boolean => a.color === b.color && a.dim === b.dim;

/**
 * 16,384 slots folded into a few rows. Consecutive cells of one style are one Text, so a row costs a
 * handful of nodes, not one per cell.
 */
export function SlotMap({ cells, width, title }: SlotMapProps) {
  const rows: MapCell[][] = [];
  for (let i = 0; i < cells.length; i += width) rows.push(cells.slice(i, i + width));
  return (
    <Box flexDirection="column">
      <Text dimColor>{title}</Text>
      {rows.map((row, r) => {
        const runs: { cell: MapCell; text: string }[] = [];
        for (const cell of row) {
          const last = runs[runs.length - 1];
          if (last && same(last.cell, cell)) last.text += cell.mark;
          else runs.push({ cell, text: cell.mark });
        }
        return (
          <Text key={r}>
            {runs.map((run, i) => (
              <Text key={i} color={run.cell.color} dimColor={run.cell.dim}>
                {run.text}
              </Text>
            ))}
          </Text>
        );
      })}
    </Box>
  );
}
