import type { ExecutorEvent, RunSummary } from '../executor/events.js';

/**
 * Aggregated run figures from the event stream: what every reporter and the TUI show. Pure fold,
 * so the same events always give the same figures.
 */
export interface Progress {
  readonly startedAt: number | null;
  readonly now: number;
  readonly slotsTotal: number;
  readonly keysTotal: number;
  readonly slotsDone: number;
  readonly slotsFailed: number;
  readonly keysMoved: number;
  readonly inFlight: ReadonlyMap<number, { readonly from: string; readonly to: string; readonly keys: number; readonly moved: number }>;
  readonly failures: readonly { readonly slot: number; readonly reason: string }[];
  readonly journal: string | null;
  readonly nodes: Readonly<Record<string, string>>;
  readonly summary: RunSummary | null;
  readonly paused: boolean;
  readonly stopping: string | null;
  readonly concurrency: number;
}

export const initialProgress: Progress = {
  startedAt: null,
  now: 0,
  slotsTotal: 0,
  keysTotal: 0,
  slotsDone: 0,
  slotsFailed: 0,
  keysMoved: 0,
  inFlight: new Map(),
  failures: [],
  journal: null,
  nodes: {},
  summary: null,
  paused: false,
  stopping: null,
  concurrency: 0,
};

export function foldProgress(p: Progress, e: ExecutorEvent): Progress {
  const now = e.t;
  switch (e.type) {
    case 'run-start':
      return { ...p, now, startedAt: e.t, slotsTotal: e.slots, keysTotal: e.keys, journal: e.journal, nodes: e.nodes, concurrency: e.concurrency };
    case 'slot-start': {
      const inFlight = new Map(p.inFlight);
      inFlight.set(e.slot, { from: e.from, to: e.to, keys: e.keys, moved: 0 });
      return { ...p, now, inFlight };
    }
    case 'slot-progress': {
      const cur = p.inFlight.get(e.slot);
      const inFlight = new Map(p.inFlight);
      if (cur) inFlight.set(e.slot, { ...cur, moved: e.moved });
      return { ...p, now, inFlight, keysMoved: p.keysMoved + e.batch };
    }
    case 'slot-done': {
      const inFlight = new Map(p.inFlight);
      inFlight.delete(e.slot);
      return { ...p, now, inFlight, slotsDone: p.slotsDone + 1 };
    }
    case 'slot-failed': {
      const inFlight = new Map(p.inFlight);
      inFlight.delete(e.slot);
      return { ...p, now, inFlight, slotsFailed: p.slotsFailed + 1, failures: [...p.failures, { slot: e.slot, reason: e.reason }] };
    }
    case 'paused':
      return { ...p, now, paused: true };
    case 'resumed':
      return { ...p, now, paused: false };
    case 'stopping':
      return { ...p, now, stopping: e.message ?? 'stopping' };
    case 'concurrency':
      return { ...p, now, concurrency: e.value ?? p.concurrency };
    case 'run-end':
      return { ...p, now, summary: e.summary, inFlight: new Map() };
    default:
      return { ...p, now };
  }
}

/** Keys per second since the start, and the seconds left at that rate (slots without keys count too). */
export function rateAndEta(p: Progress, now = p.now): { keysPerSec: number; etaSec: number } {
  const elapsed = p.startedAt === null ? 0 : (now - p.startedAt) / 1000;
  const keysPerSec = elapsed > 0 ? p.keysMoved / elapsed : 0;
  const slotShare = p.slotsTotal ? (p.slotsDone + p.slotsFailed) / p.slotsTotal : 0;
  const keyShare = p.keysTotal ? Math.min(1, p.keysMoved / p.keysTotal) : slotShare;
  const share = Math.max(0.0001, (slotShare + keyShare) / 2);
  const etaSec = elapsed > 0 && share > 0 ? (elapsed / share) * (1 - share) : NaN;
  return { keysPerSec, etaSec };
}
