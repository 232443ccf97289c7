import { Box, Text } from 'ink';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';
import { Bar } from './Bar.js';
import type { RunTracker } from './run-tracker.js';
import { foldRunStates, type SlotRunState } from './slot-map.js';
import { SlotMap, type MapCell } from './SlotMap.js';

export interface RunViewProps {
  /** Live figures; read at render time (the ticker decides when that is). */
  readonly tracker: RunTracker;
  /** Terminal width: bars and the slot map. */
  readonly columns: number;
  /** Terminal height: the in-flight list gets the rows left. */
  readonly rows: number;
  /** The clock, for elapsed time, rates and ETA. */
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
  const share = total ? Math.min(1, done / total) : 1;
  return (
    <Text wrap="truncate-end">
      {label.padEnd(6)}
      <Bar share={share} width={width} color="green" /> {`${Math.floor(share * 100)}%`.padStart(4)} {text}
    </Text>
  );
}

/** Lines outside this view: the app title, the key help (two lines when narrow) and one spare: Ink redraws the whole screen when a frame is as tall as the terminal. */
const OUTSIDE_ROWS = 5;

/** The run as it happens: totals with rate and ETA, node rates, the slot map by state, slots in flight, errors. */
export function RunView({ tracker: t, columns, rows, now }: RunViewProps) {
  const r = t.rateAndEta(now);
  const barWidth = Math.max(10, Math.min(40, columns - 52));
  const width = Math.max(20, columns - 2);
  const state = t.summary ? 'finished' : t.stopping ? 'stopping' : t.paused ? 'paused' : t.startedAt === null ? 'pre-flight' : 'running';
  const addr = (id: string): string => t.nodes[id] ?? id.slice(0, 8);
  const nodeRows = [...t.rates.entries()].filter(([, x]) => x.in || x.out).sort(([a], [b]) => (addr(a) < addr(b) ? -1 : 1));
  // Everything must fit the terminal: Ink clears and redraws the whole screen once a frame is taller
  // than it, which flickers and scrolls. In-flight rows get what is left.
  const mapRows = rows >= 32 ? 4 : rows >= 26 ? 3 : 2;
  const failureRows = t.failures.length ? 3 + Math.min(3, t.failures.length) : 0;
  const introLine = !t.summary && t.introducing.size ? [...t.introducing.values()][0]! : null;
  const capacityLine = t.capacity.at(-1) ?? null;
  const noticeLine = t.notices.at(-1) ?? null;
  const fixed = 1 + (t.stopping && !t.summary ? 1 : 0) + (introLine ? 1 : 0) + (capacityLine ? 1 : 0) + (noticeLine ? 1 : 0) + 3 + (nodeRows.length ? 2 + nodeRows.length : 0) + 2 + mapRows + failureRows + 2;
  const flightRoom = Math.max(0, Math.min(8, rows - OUTSIDE_ROWS - fixed));
  // Slots whose keys are moving say more than ones waiting to open or close: list those first.
  const all = [...t.inFlight.values()];
  const flights = [...all.filter((f) => f.moved > 0 && f.moved < f.keys), ...all.filter((f) => !(f.moved > 0 && f.moved < f.keys))].slice(0, flightRoom);
  const rate = (n: number, unit = ''): string => (t.startedAt === null ? '' : ` · ${n < 10 && n > 0 ? n.toFixed(1) : formatCount(n)}${unit}/s`);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>moving slots</Text> · <Text color={state === 'running' ? 'green' : 'yellow'}>{state}</Text>{t.pace === 'gentle' && !t.summary ? <Text color="cyan"> (gentle: clients active)</Text> : null} · concurrency {t.concurrency} ({formatCount(t.inFlight.size)} open) · elapsed {formatDuration(r.elapsedSec)} · ETA {formatDuration(r.etaSec)}
      </Text>
      {t.stopping && !t.summary ? <Text color="yellow" wrap="truncate-end">{t.stopping}</Text> : null}
      {introLine ? <Text color="cyan" wrap="truncate-end">{introLine}</Text> : null}
      {capacityLine ? <Text color="red" wrap="truncate-end">{capacityLine}</Text> : null}
      {noticeLine ? <Text color="yellow" wrap="truncate-end">{noticeLine}</Text> : null}
      {t.startedAt === null && t.preflight.length ? <Text dimColor wrap="truncate-end">{t.preflight[t.preflight.length - 1]}</Text> : null}
      <Progress label="slots" done={t.slotsDone} total={t.slotsTotal} width={barWidth} text={`${formatCount(t.slotsDone)}/${formatCount(t.slotsTotal)}${rate(r.slotsPerSec)}${t.slotsFailed ? ` · ${t.slotsFailed} failed` : ''}`} />
      <Progress label="keys" done={t.keysMoved} total={t.keysTotal} width={barWidth} text={`${formatCount(t.keysMoved)}/${formatCount(t.keysTotal)}${rate(r.keysPerSec)}`} />
      <Progress label="bytes" done={t.bytesMoved} total={t.bytesTotal} width={barWidth} text={`${formatBytes(t.bytesMoved)}/${formatBytes(t.bytesTotal)}${t.startedAt === null ? '' : ` · ${formatBytes(r.bytesPerSec)}/s`}`} />
      {nodeRows.length ? (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor>{'node'.padEnd(22)}{'in keys/s'.padStart(12)}{'out keys/s'.padStart(12)}</Text>
          {nodeRows.map(([id, x]) => (
            <Text key={id}>
              {addr(id).padEnd(22)}
              <Text color="green">{formatCount(x.in).padStart(12)}</Text>
              <Text color="yellow">{formatCount(x.out).padStart(12)}</Text>
            </Text>
          ))}
        </Box>
      ) : null}
      <Box marginTop={1} flexDirection="column">
        <SlotMap title="planned slots: ░ pending  ▒ in flight  █ done  ✗ failed  · not planned" cells={foldRunStates((s) => t.stateOf(s), width * mapRows).map((s) => STATE_CELLS[s])} width={width} />
      </Box>
      {flights.length ? (
        <Box flexDirection="column" marginTop={1}>
          <Text dimColor>in flight ({t.inFlight.size}), keys moved / keys at start:</Text>
          {flights.map((f) => (
            <Text key={f.slot} wrap="truncate-end">
              {'  '}slot {String(f.slot).padStart(5)} {addr(f.from)} → {addr(f.to)} · {formatCount(f.moved)}/{formatCount(f.keys)} keys
            </Text>
          ))}
        </Box>
      ) : t.inFlight.size ? (
        <Text dimColor>{t.inFlight.size} slots in flight</Text>
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
