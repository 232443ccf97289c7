import { Text } from 'ink';
import type { SourceStatus } from '../../sync/events.js';
import { formatBytes, formatCount } from '../../util/format.js';
import { Bar } from '../Bar.js';

export interface SourceRowProps {
  /** The source's latest figures. */
  readonly status: SourceStatus;
  /** Width of the snapshot bar. */
  readonly barWidth: number;
}

const PHASE_COLOR: Record<string, string> = { 'full-sync': 'yellow', replay: 'yellow', streaming: 'green', reconnecting: 'red', stopped: 'gray', connecting: 'gray' };

/** One source: phase, snapshot bytes (a bar when its size is known), keys, stream, lag. */
export function SourceRow({ status: s, barWidth }: SourceRowProps) {
  const share = s.rdbTotal ? s.rdbBytes / s.rdbTotal : s.phase === 'full-sync' ? 0 : 1;
  const lag = s.lagBytes === null ? '?' : formatBytes(s.lagBytes);
  const lagColor = s.lagSeconds > 1 ? 'yellow' : 'green';
  return (
    <Text wrap="truncate-end">
      {s.source.padEnd(21)} <Text color={PHASE_COLOR[s.phase] ?? 'white'}>{s.phase.padEnd(12)}</Text> <Bar share={share} width={barWidth} color="green" /> {formatBytes(s.rdbBytes).padStart(8)} · lag <Text color={lagColor}>{`${lag} / ${s.lagSeconds.toFixed(2)} s`}</Text> · keys {formatCount(s.keys)} · cmds {formatCount(s.commands)}
      {s.bufferedBytes ? <Text dimColor>{` · buffered ${formatBytes(s.bufferedBytes)}`}</Text> : null}
    </Text>
  );
}
