import { Box, Text } from 'ink';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';
import { Bar } from './Bar.js';
import type { RunTracker } from './run-tracker.js';
import { foldRunStates, type SlotRunState } from './slot-map.js';
import { SlotMap, type MapCell } from './SlotMap.js';

export interface RunViewProps {
  /** Live figures; read at render time (the ticker decides when that is). */
  readonly tracker: RunTracker;
  readonly columns: number;
  readonly rows: number;
  readonly now: number;
}

const STATE_CELLS: Record<SlotRunState, MapCell> = {
  idle: { mark: '·', dim: true },
  pending: { mark: '░', color: 'gray' },
  flight: { mark: '▒', color: 'yellow' },
  done: { mark: '█', color: 'green' },
  failed: { mark: '✗', color: 'red' },
};

function Progress({ label, done, total, width, text }: { label: string; done: number; total: number; width: number; text: string }) {
  const share = total ? done / total : 1;
  return (
    <Text>
      {label.padEnd(6)}
      <Bar share={share} width={width} color="green" /> {`${Math.floor(share * 100)}%`.padStart(4)} {text}
    </Text>
  );
}

/** The run as it happens: totals with rate and ETA, node rates, the slot map by state, slots in flight, errors. */
export function RunView({ tracker: t, columns, rows, now }: RunViewProps) {
  const { keysPerSec, etaSec } = t.rateAndEta(now);
  const elapsed = t.startedAt === null ? 0 : ((t.endedAt ?? now) - t.startedAt) / 1000;
  const barWidth = Math.max(10, Math.min(40, columns - 44));
  const width = Math.max(20, columns - 2);
  const state = t.summary ? 'finished' : t.stopping ? 'stopping' : t.paused ? 'paused' : t.startedAt === null ? 'pre-flight' : 'running';
  const addr = (id: string): string => t.nodes[id] ?? id.slice(0, 8);
  const nodeRows = [...t.rates.entries()].filter(([, r]) => r.in || r.out).sort(([a], [b]) => (addr(a) < addr(b) ? -1 : 1));
  const flightRoom = Math.max(1, rows - 20 - nodeRows.length - Math.min(3, t.failures.length));
  const flights = [...t.inFlight.values()].slice(0, Math.min(6, flightRoom));
  return (
    <Box flexDirection="column">
      <Text>
        <Text bold>moving slots</Text> · <Text color={state === 'running' ? 'green' : 'yellow'}>{state}</Text> · concurrency {t.concurrency} · {formatCount(keysPerSec)} keys/s · elapsed {formatDuration(elapsed)} · ETA {formatDuration(etaSec)}
      </Text>
      {t.stopping && !t.summary ? <Text color="yellow">{t.stopping}</Text> : null}
      {t.startedAt === null ? t.preflight.slice(-2).map((p, i) => <Text key={i} dimColor>{p}</Text>) : null}
      <Progress label="slots" done={t.slotsDone} total={t.slotsTotal} width={barWidth} text={`${formatCount(t.slotsDone)}/${formatCount(t.slotsTotal)}${t.slotsFailed ? ` · ${t.slotsFailed} failed` : ''}`} />
      <Progress label="keys" done={t.keysMoved} total={t.keysTotal} width={barWidth} text={`${formatCount(t.keysMoved)}/${formatCount(t.keysTotal)}`} />
      <Progress label="bytes" done={t.bytesMoved} total={t.bytesTotal} width={barWidth} text={`${formatBytes(t.bytesMoved)}/${formatBytes(t.bytesTotal)}`} />
      {nodeRows.length ? (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor>{'node'.padEnd(22)}{'in keys/s'.padStart(12)}{'out keys/s'.padStart(12)}</Text>
          {nodeRows.map(([id, r]) => (
            <Text key={id}>
              {addr(id).padEnd(22)}
              <Text color="green">{formatCount(r.in).padStart(12)}</Text>
              <Text color="yellow">{formatCount(r.out).padStart(12)}</Text>
            </Text>
          ))}
        </Box>
      ) : null}
      <Box marginTop={1} flexDirection="column">
        <SlotMap title="planned slots: ░ pending  ▒ in flight  █ done  ✗ failed  · not in the plan" cells={foldRunStates((s) => t.stateOf(s), width * 3).map((s) => STATE_CELLS[s])} width={width} />
      </Box>
      {flights.length ? (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor>in flight ({t.inFlight.size}):</Text>
          {flights.map((f) => (
            <Text key={f.slot}>
              {'  '}slot {String(f.slot).padStart(5)} {addr(f.from)} → {addr(f.to)} · {formatCount(f.moved)}/{formatCount(f.keys)} keys
            </Text>
          ))}
        </Box>
      ) : null}
      {t.failures.length ? (
        <Box flexDirection="column" borderStyle="single" borderColor="red" paddingX={1}>
          <Text color="red" bold>
            {t.failures.length} failed
          </Text>
          {t.failures.slice(-3).map((f) => (
            <Text key={f.slot} color="red" wrap="truncate-end">
              slot {f.slot} ({f.code}): {f.reason}
            </Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
