import { Box, Text } from 'ink';
import { formatDuration } from '../../util/format.js';
import { KeyHelp } from '../KeyHelp.js';
import { SourceRow } from './SourceRow.js';
import type { SyncTracker } from './sync-tracker.js';

export interface SyncScreenProps {
  /** Live figures, read at render time. */
  readonly tracker: SyncTracker;
  /** Terminal width, for the bars. */
  readonly columns: number;
  /** The clock, for the elapsed time. */
  readonly now: number;
}

/** The key help of the sync screen. */
export const SYNC_KEYS = [['q', 'stop (apply what was sent, write the checkpoint)']] as const;

/** A sync as it runs: per source its phase, snapshot bytes, keys, lag; the cut-over; the latest messages. */
export function SyncScreen({ tracker: t, columns, now }: SyncScreenProps) {
  const elapsed = t.startedAt === null ? 0 : (now - t.startedAt) / 1000;
  const state = t.summary ? (t.summary.failed ? 'failed' : 'finished') : t.synced ? 'in sync' : 'syncing';
  const barWidth = Math.max(5, Math.min(20, columns - 95));
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        slotpilot sync · {t.from} → {t.seed} · <Text color={state === 'failed' ? 'red' : state === 'syncing' ? 'yellow' : 'green'}>{state}</Text> · {t.mode} · elapsed {formatDuration(elapsed)}
      </Text>
      <Box flexDirection="column" marginTop={1}>
        <Text dimColor>{'source'.padEnd(21)} {'phase'.padEnd(12)} snapshot</Text>
        {[...t.sources.values()].map((s) => (
          <SourceRow key={s.source} status={s} barWidth={barWidth} />
        ))}
      </Box>
      {t.cutover ? (
        <Text color={t.cutover.stage === 'in-sync' ? 'green' : 'cyan'} wrap="truncate-end">
          cut-over: {t.cutover.message}
        </Text>
      ) : null}
      <Box flexDirection="column" marginTop={1}>
        {t.messages.map((m, i) => (
          <Text key={i} dimColor wrap="truncate-end">
            {m}
          </Text>
        ))}
      </Box>
      <Text dimColor wrap="truncate-end">journal {t.journal}</Text>
      <KeyHelp keys={SYNC_KEYS} />
    </Box>
  );
}
