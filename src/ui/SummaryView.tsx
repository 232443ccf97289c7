import { Box, Text } from 'ink';
import type { Plan } from '../planner/plan-schema.js';
import type { RunSummary } from '../executor/events.js';
import type { Topology } from '../topology/types.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';
import { Bar } from './Bar.js';
import { describeAccounting, describeExposure } from '../report/describe-run.js';

export interface SummaryViewProps {
  /** The plan that ran: its before figures and the planned after. */
  readonly plan: Plan;
  /** The executor's summary from `run-end`. */
  readonly summary: RunSummary;
  /** Bytes moved as the run view counted them (the plan's estimate per key moved). */
  readonly bytesMoved: number;
  /** Journal path, for audits and `resume`. */
  readonly journal: string | null;
  /** Failed slots with their reasons. */
  readonly failures: readonly { slot: number; code: string; reason: string }[];
  /** The cluster as read after the run (the real "after"), when the read succeeded. */
  readonly after: Topology | null;
  /** Terminal width, for the bars. */
  readonly columns: number;
}

const slotsOf = (t: Topology, id: string): number => t.slotOwners.reduce((a, o) => a + (o === id ? 1 : 0), 0);

/** How the run ended: before → after per master, duration, throughput, failures, the journal. */
export function SummaryView({ plan, summary: s, bytesMoved, journal, failures, after, columns }: SummaryViewProps) {
  const secs = s.ms / 1000;
  const per = (n: number): number => (secs > 0 ? n / secs : 0);
  const lost = s.accounting.evicted > 0;
  const ok = !s.failed && !s.notStarted && !lost;
  const rows = plan.summary.nodes.map((n) => {
    const live = after?.nodes.find((x) => x.id === n.id);
    return { n, slots: after ? slotsOf(after, n.id) : n.after.slots, keys: live?.keys ?? n.after.keys };
  });
  const max = Math.max(1, ...rows.flatMap((r) => [r.n.before.slots, r.slots]));
  const barWidth = Math.max(3, Math.min(24, Math.floor((columns - 66) / 2)));
  const headline = ok ? '✓ done' : lost ? '✗ finished with keys lost' : s.stoppedBy === 'failure' ? '✗ stopped after a failure' : s.stoppedBy === 'capacity' ? '■ stopped before a target ran out of room' : '■ stopped';
  return (
    <Box flexDirection="column">
      <Text bold color={ok ? 'green' : 'yellow'} wrap="truncate-end">
        {headline}: {formatCount(s.done)}/{formatCount(s.planned)} slots moved in {formatDuration(secs)}
      </Text>
      <Text wrap="truncate-end">
        throughput {formatCount(per(s.done))} slots/s · {formatCount(per(s.keys))} keys/s · {formatBytes(per(bytesMoved))}/s ({formatCount(s.keys)} keys, ~{formatBytes(bytesMoved)})
      </Text>
      <Text color={lost ? 'red' : undefined} dimColor={!lost} wrap="truncate-end">{describeAccounting(s.accounting)}</Text>
      <Text dimColor wrap="truncate-end">{describeExposure(s.exposure)}</Text>
      <Box marginTop={1} flexDirection="column">
        <Text dimColor>per master, before → after{after ? ' (read from the cluster)' : ' (planned)'}</Text>
        {rows.map(({ n, slots, keys }) => (
          <Text key={n.id} wrap="truncate-end">
            {n.addr.padEnd(16).slice(0, 16)} <Bar share={n.before.slots / max} width={barWidth} color="gray" /> → <Bar share={slots / max} width={barWidth} color="green" />{' '}
            {`${formatCount(n.before.slots)} → ${formatCount(slots)} slots`.padEnd(20)} {formatCount(n.before.keys)} → {formatCount(keys)} keys
          </Text>
        ))}
      </Box>
      {s.failed || s.notStarted ? (
        <Text color="yellow" wrap="truncate-end">
          {s.failed} failed, {s.notStarted} not started{journal ? ` · finish with: slotpilot resume --journal ${journal}` : ''}
        </Text>
      ) : (
        <Text color="green">no failures</Text>
      )}
      {failures.slice(0, 5).map((f) => (
        <Text key={f.slot} color="red" wrap="truncate-end">
          slot {f.slot} ({f.code}): {f.reason}
        </Text>
      ))}
      <Text dimColor>journal {journal ?? 'none'}</Text>
    </Box>
  );
}
