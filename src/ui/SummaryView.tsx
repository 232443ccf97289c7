import { Box, Text } from 'ink';
import type { Plan } from '../planner/plan-schema.js';
import type { RunSummary } from '../executor/events.js';
import type { Topology } from '../topology/types.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';
import { Bar } from './Bar.js';

export interface SummaryViewProps {
  readonly plan: Plan;
  readonly summary: RunSummary;
  readonly journal: string | null;
  readonly failures: readonly { slot: number; code: string; reason: string }[];
  /** The cluster as read after the run (the real "after"), when the read succeeded. */
  readonly after: Topology | null;
  readonly columns: number;
}

const slotsOf = (t: Topology, id: string): number => t.slotOwners.reduce((a, o) => a + (o === id ? 1 : 0), 0);

/** How the run ended: before → after per master, duration, throughput, failures, the journal. */
export function SummaryView({ plan, summary: s, journal, failures, after, columns }: SummaryViewProps) {
  const secs = s.ms / 1000;
  const ok = !s.failed && !s.notStarted;
  const max = Math.max(1, ...plan.summary.nodes.flatMap((n) => [n.before.slots, n.after.slots]));
  const barWidth = Math.max(6, Math.floor((columns - 48) / 2));
  return (
    <Box flexDirection="column">
      <Text bold color={ok ? 'green' : 'yellow'}>
        {ok ? '✓ done' : s.stoppedBy === 'failure' ? '✗ stopped after a failure' : '■ stopped'}: {s.done}/{s.planned} slots, {formatCount(s.keys)} keys in {formatDuration(secs)} ({formatCount(secs > 0 ? s.keys / secs : 0)} keys/s)
      </Text>
      <Text dimColor>slots per master, before → after{after ? ' (read from the cluster)' : ' (planned)'}</Text>
      {plan.summary.nodes.map((n) => {
        const now = after ? slotsOf(after, n.id) : n.after.slots;
        return (
          <Text key={n.id}>
            {n.addr.padEnd(20).slice(0, 20)} <Bar share={n.before.slots / max} width={barWidth} color="gray" /> → <Bar share={now / max} width={barWidth} color="green" /> {n.before.slots} → {now}
          </Text>
        );
      })}
      {s.failed || s.notStarted ? (
        <Text color="yellow">
          {s.failed} failed, {s.notStarted} not started{journal ? ` · finish with: slotpilot resume --journal ${journal}` : ''}
        </Text>
      ) : null}
      {failures.slice(0, 5).map((f) => (
        <Text key={f.slot} color="red" wrap="truncate-end">
          slot {f.slot} ({f.code}): {f.reason}
        </Text>
      ))}
      <Text dimColor>
        moved {formatCount(s.keys)} keys{plan.summary.moved.bytes ? ` (~${formatBytes(plan.summary.moved.bytes)} planned)` : ''} · journal {journal ?? 'none'}
      </Text>
    </Box>
  );
}
