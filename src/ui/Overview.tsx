import { Box, Text } from 'ink';
import { checkTopology } from '../topology/check-topology.js';
import type { Topology } from '../topology/types.js';
import { formatCount } from '../util/format.js';
import { mastersInOrder } from './builder-state.js';
import { Legend } from './Legend.js';
import { NodesTable } from './NodesTable.js';
import { ownershipCells } from './ownership-cells.js';
import { SlotMap } from './SlotMap.js';
import { Warnings } from './Warnings.js';

export interface OverviewProps {
  /** The cluster as last read. */
  readonly topology: Topology;
  /** Terminal width: the map folds the slots into it. */
  readonly columns: number;
  /** Terminal height: the map gives up rows so the screen fits. */
  readonly rows: number;
  /** Seconds since the topology was read, or a note while a refresh runs. */
  readonly freshness: string;
}

/** How the cluster stands: nodes, who owns which slots, and what is wrong. */
export function Overview({ topology, columns, rows, freshness }: OverviewProps) {
  const masters = mastersInOrder(topology);
  const problems = checkTopology(topology);
  const width = Math.max(20, columns - 2);
  // The map gets the rows the table and warnings leave (Ink redraws the whole screen, flickering,
  // once a frame is as tall as the terminal): title, cluster line, table header, map title, legend,
  // three margins, key help (two lines when narrow) and one spare row.
  const warnMax = rows >= 30 ? 6 : 2;
  const shown = Math.min(warnMax, problems.length);
  const warnLines = problems.length ? shown + (problems.length > shown ? 1 : 0) + new Set(problems.map((p) => p.kind)).size : 1;
  // Rows left for the table and the map: the map keeps at least one row, the table gives up the rest.
  // The legend wraps: each master takes its address plus mark and gap.
  const legendLines = Math.max(1, Math.ceil(masters.reduce((a, m) => a + m.addr.length + 4, 0) / Math.max(1, columns)));
  const room = rows - 10 - legendLines - warnLines;
  const tableRows = Math.max(2, Math.min(topology.nodes.length, room - 1));
  const mapRows = Math.max(1, Math.min(6, room - tableRows));
  const keys = topology.nodes.filter((n) => n.role === 'master').reduce((a, n) => a + (n.keys ?? 0), 0);
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>cluster at {topology.seed}</Text>
        <Text dimColor>
          {' '}
          · {masters.length} masters · {topology.nodes.length - masters.length} replicas · {formatCount(keys)} keys · {freshness}
        </Text>
      </Text>
      <NodesTable topology={topology} masters={masters} columns={columns} maxRows={tableRows} />
      <Box marginTop={1} flexDirection="column">
        <SlotMap title={`slot map (0 … 16383, ${Math.round(16384 / (width * mapRows))} slots per cell)`} cells={ownershipCells(topology, masters, width * mapRows)} width={width} />
        <Legend masters={masters} />
      </Box>
      <Box marginTop={1}>
        <Warnings problems={problems} seed={topology.seed} max={warnMax} />
      </Box>
    </Box>
  );
}
