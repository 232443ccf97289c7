import { Box, Text } from 'ink';
import type { Topology, TopologyNode } from '../topology/types.js';
import { formatBytes, formatCount } from '../util/format.js';
import { masterStyle } from './slot-map.js';

export interface NodesTableProps {
  /** The cluster as read. */
  readonly topology: Topology;
  /** Masters in display order (their index gives mark and colour). */
  readonly masters: readonly TopologyNode[];
  /** Terminal columns: narrow terminals drop the memory and flags columns. */
  readonly columns: number;
  /** Most node lines that fit; the rest are counted on one line. */
  readonly maxRows?: number;
}

const slotsOf = (n: TopologyNode): number => n.slots.reduce((a, [x, y]) => a + y - x + 1, 0);

function flagsOf(n: TopologyNode): string {
  const bad: string[] = n.flags.filter((f) => f !== 'myself' && f !== 'master' && f !== 'slave' && f !== 'noflags');
  if (!n.reachable) bad.push('unreachable');
  if (n.linkState === 'disconnected' && !n.flags.includes('myself')) bad.push('link down');
  if (n.clusterState && n.clusterState !== 'ok') bad.push(`state ${n.clusterState}`);
  return bad.join(',') || 'ok';
}

/** Every node: masters (with their map mark) and, under each, its replicas. */
export function NodesTable({ topology, masters, columns, maxRows = Infinity }: NodesTableProps) {
  const wide = columns >= 90;
  const byId = new Map(topology.nodes.map((n) => [n.id, n]));
  const rows: { n: TopologyNode; mark: string; color?: string }[] = [];
  masters.forEach((m, i) => {
    rows.push({ n: m, ...masterStyle(i) });
    for (const r of m.replicas) {
      const rn = byId.get(r);
      if (rn) rows.push({ n: rn, mark: ' ' });
    }
  });
  for (const n of topology.nodes) if (n.role === 'replica' && !rows.some((r) => r.n.id === n.id)) rows.push({ n, mark: ' ' });
  const shown = rows.length <= maxRows ? rows : rows.slice(0, Math.max(1, maxRows - 1));
  return (
    <Box flexDirection="column">
      <Text bold>
        {'  '}
        {'address'.padEnd(21)}
        {'id'.padEnd(9)}
        {'role'.padEnd(8)}
        {'slots'.padStart(6)}
        {'keys'.padStart(10)}
        {wide ? 'memory'.padStart(10) : ''}
        {' repl'}
        {'  state'}
      </Text>
      {shown.map(({ n, mark, color }) => {
        const state = flagsOf(n);
        return (
          <Text key={n.id} wrap="truncate-end">
            <Text color={color} bold>{`${mark} `}</Text>
            {(n.role === 'replica' ? ` └ ${n.addr}` : n.addr).padEnd(21).slice(0, 21)}
            <Text dimColor>{n.id.slice(0, 8).padEnd(9)}</Text>
            {n.role.padEnd(8)}
            {(n.role === 'master' ? String(slotsOf(n)) : '').padStart(6)}
            {(n.keys === undefined ? '?' : formatCount(n.keys)).padStart(10)}
            {wide ? (n.usedMemory === undefined ? '?' : formatBytes(n.usedMemory)).padStart(10) : ''}
            {(n.role === 'master' ? String(n.replicas.length) : '').padStart(5)}
            {'  '}
            <Text color={state === 'ok' ? 'green' : 'red'}>{state}</Text>
          </Text>
        );
      })}
      {shown.length < rows.length ? <Text dimColor>… {rows.length - shown.length} more nodes (a taller terminal shows them)</Text> : null}
    </Box>
  );
}
