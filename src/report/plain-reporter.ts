import type { ExecutorEvent, PaceEvent, RunHandle } from '../executor/events.js';
import { formatCount, formatDuration } from '../util/format.js';
import { describeAccounting, describeCapacity, describeExposure, describeIntroduce, describeSameCopy } from './describe-run.js';
import { rateAndEta, initialProgress, type Progress } from './progress.js';

type Out = (line: string) => void;

/**
 * Running figures, updated in place: a rebalance emits tens of thousands of events, and folding each
 * into a fresh immutable Progress (as the TUI does, for React) cost the run measurable CPU and GC.
 */
class Tally {
  startedAt: number | null = null;
  slotsTotal = 0;
  keysTotal = 0;
  slotsDone = 0;
  slotsFailed = 0;
  keysMoved = 0;
  readonly inFlight = new Set<number>();

  add(e: ExecutorEvent): void {
    if (e.type === 'run-start') {
      this.startedAt = e.t;
      this.slotsTotal = e.slots;
      this.keysTotal = e.keys;
    } else if (e.type === 'slot-start') this.inFlight.add(e.slot);
    else if (e.type === 'slot-progress') this.keysMoved += e.batch;
    else if (e.type === 'slot-done') {
      this.inFlight.delete(e.slot);
      this.slotsDone++;
    } else if (e.type === 'slot-failed') {
      this.inFlight.delete(e.slot);
      this.slotsFailed++;
    }
  }

  /** The same figures as a Progress, for the shared rate/ETA rule. */
  asProgress(now: number): Progress {
    return { ...initialProgress, now, startedAt: this.startedAt, slotsTotal: this.slotsTotal, keysTotal: this.keysTotal, slotsDone: this.slotsDone, slotsFailed: this.slotsFailed, keysMoved: this.keysMoved };
  }
}

function progressLine(t: Tally, now: number): string {
  const { keysPerSec, etaSec } = rateAndEta(t.asProgress(now), now);
  const elapsed = t.startedAt ? (now - t.startedAt) / 1000 : 0;
  const pct = t.slotsTotal ? Math.floor(((t.slotsDone + t.slotsFailed) / t.slotsTotal) * 100) : 100;
  return `[${formatDuration(elapsed)}] slots ${formatCount(t.slotsDone)}/${formatCount(t.slotsTotal)} (${pct}%) · keys ${formatCount(t.keysMoved)}/${formatCount(t.keysTotal)} · ${formatCount(keysPerSec)} keys/s · in flight ${t.inFlight.size}${t.slotsFailed ? ` · failed ${t.slotsFailed}` : ''} · ETA ${formatDuration(etaSec)}`;
}

/**
 * Lines for logs and CI: one progress line every `everyMs` (not one per slot), each failure as it
 * happens, and a final summary.
 */
export function attachPlainReporter(handle: RunHandle, out: Out, everyMs = 2000): void {
  const tally = new Tally();
  let nodes: Readonly<Record<string, string>> = {};
  let ended = false;
  const timer = setInterval(() => {
    if (tally.startedAt !== null && !ended) out(progressLine(tally, Date.now()));
  }, everyMs);
  timer.unref();
  const off = handle.subscribe((e) => {
    tally.add(e);
    if (e.type === 'preflight') out(e.message);
    else if (e.type === 'introduce') out(describeIntroduce(e, nodes[e.node] ?? e.node.slice(0, 8)));
    else if (e.type === 'capacity') out(describeCapacity(e, nodes[e.node] ?? e.node.slice(0, 8)));
    else if (e.type === 'same-copy') out(describeSameCopy(e, nodes[e.to] ?? e.to.slice(0, 8)));
    else if (e.type === 'run-start') (nodes = e.nodes), out(`moving ${formatCount(e.slots)} slots (${formatCount(e.keys)} keys) with concurrency ${e.concurrency}${e.journal ? `; journal ${e.journal}` : ''}`);
    else if (e.type === 'slot-failed') out(`slot ${e.slot} failed (${e.code}, ${e.phase}): ${e.reason}`);
    else if (e.type === 'stopping' || e.type === 'paused' || e.type === 'resumed') out(e.message ?? e.type);
    else if (e.type === 'pace') out(describePace(e));
    else if (e.type === 'run-end') {
      ended = true;
      clearInterval(timer);
      off();
      const s = e.summary;
      const secs = s.ms / 1000;
      out(progressLine(tally, e.t));
      const lost = s.accounting.evicted > 0;
      out(
        `${lost ? 'finished with keys lost' : s.failed || s.notStarted ? 'stopped' : 'done'}: ${s.done}/${s.planned} slots moved, ${formatCount(s.keys)} keys in ${formatDuration(secs)} (${formatCount(secs > 0 ? s.keys / secs : 0)} keys/s)` +
          `${s.failed ? `, ${s.failed} failed` : ''}${s.notStarted ? `, ${s.notStarted} not started` : ''}`,
      );
      out(describeAccounting(s.accounting));
      out(describeExposure(s.exposure));
    }
  });
}

/** One line for a pace change. */
export function describePace(e: PaceEvent): string {
  return e.mode === 'gentle'
    ? `clients are using the cluster (${formatCount(e.clientOpsPerSec)} commands/s): moving gently, at most two sources per target and one MIGRATE per source at a time`
    : 'no client traffic: moving at full speed';
}
