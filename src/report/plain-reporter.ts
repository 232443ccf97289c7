import type { RunHandle } from '../executor/events.js';
import { formatCount, formatDuration } from '../util/format.js';
import { foldProgress, initialProgress, rateAndEta, type Progress } from './progress.js';

type Out = (line: string) => void;

function progressLine(p: Progress, now: number): string {
  const { keysPerSec, etaSec } = rateAndEta(p, now);
  const elapsed = p.startedAt ? (now - p.startedAt) / 1000 : 0;
  const pct = p.slotsTotal ? Math.floor(((p.slotsDone + p.slotsFailed) / p.slotsTotal) * 100) : 100;
  return `[${formatDuration(elapsed)}] slots ${formatCount(p.slotsDone)}/${formatCount(p.slotsTotal)} (${pct}%) · keys ${formatCount(p.keysMoved)}/${formatCount(p.keysTotal)} · ${formatCount(keysPerSec)} keys/s · in flight ${p.inFlight.size}${p.slotsFailed ? ` · failed ${p.slotsFailed}` : ''} · ETA ${formatDuration(etaSec)}`;
}

/**
 * Lines for logs and CI: one progress line every `everyMs` (not one per slot), each failure as it
 * happens, and a final summary.
 */
export function attachPlainReporter(handle: RunHandle, out: Out, everyMs = 2000): void {
  let p = initialProgress;
  const timer = setInterval(() => {
    if (p.startedAt !== null && !p.summary) out(progressLine(p, Date.now()));
  }, everyMs);
  timer.unref();
  const off = handle.subscribe((e) => {
    p = foldProgress(p, e);
    if (e.type === 'preflight') out(e.message);
    else if (e.type === 'run-start') out(`moving ${formatCount(e.slots)} slots (${formatCount(e.keys)} keys) with concurrency ${e.concurrency}${e.journal ? `; journal ${e.journal}` : ''}`);
    else if (e.type === 'slot-failed') out(`slot ${e.slot} failed (${e.code}, ${e.phase}): ${e.reason}`);
    else if (e.type === 'stopping' || e.type === 'paused' || e.type === 'resumed') out(e.message ?? e.type);
    else if (e.type === 'run-end') {
      clearInterval(timer);
      off();
      const s = e.summary;
      const secs = s.ms / 1000;
      out(progressLine(p, e.t));
      out(
        `${s.failed || s.notStarted ? 'stopped' : 'done'}: ${s.done}/${s.planned} slots moved, ${formatCount(s.keys)} keys in ${formatDuration(secs)} (${formatCount(secs > 0 ? s.keys / secs : 0)} keys/s)` +
          `${s.failed ? `, ${s.failed} failed` : ''}${s.notStarted ? `, ${s.notStarted} not started` : ''}`,
      );
    }
  });
}
