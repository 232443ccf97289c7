import { quoteKey } from '../redis/key-name.js';
import type { SourceStatus, SyncEvent, SyncHandle } from '../sync/events.js';
import type { FullSyncTimes } from '../sync/time-model.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';

type Out = (line: string) => void;

const secs = (s: number | null): string => (s === null ? '?' : formatDuration(s));
const ms = (n: number | null): string => (n === null ? '?' : n < 10 ? `${n.toFixed(1)} ms` : `${Math.round(n)} ms`);

/** One source's state in a line: phase, snapshot, keys, stream, lag. */
export function describeSource(s: SourceStatus): string {
  const snapshot = s.phase === 'full-sync' ? ` · snapshot ${formatBytes(s.rdbBytes)}${s.rdbTotal !== null ? `/${formatBytes(s.rdbTotal)}` : ''}` : '';
  const buffered = s.bufferedBytes ? ` · buffered ${formatBytes(s.bufferedBytes)}${s.spilledBytes ? ` (spilled ${formatBytes(s.spilledBytes)})` : ''}` : '';
  const lag = s.lagBytes === null ? '?' : formatBytes(s.lagBytes);
  return `${s.source} ${s.phase}${snapshot} · keys ${formatCount(s.keys)} · commands ${formatCount(s.commands)} · lag ${lag} / ${s.lagSeconds.toFixed(2)} s · offset ${s.appliedOffset}${buffered}`;
}

/** The full-sync phases in the time model's terms. */
export function describeTimes(t: FullSyncTimes): string {
  return `T_save ${secs(t.saveSec)}, T_transfer ${secs(t.transferSec)}, T_load ${secs(t.loadSec)} (after the transfer)${t.replaySec === null ? '' : `, replay ${secs(t.replaySec)}`}`; // no replay yet when the snapshot is just written
}

/**
 * Lines for logs and CI: the start with the estimate, each PSYNC answer, each snapshot's phases, a
 * line per source every `everyMs`, cut-over steps, conflicts, link losses and capacity alarms as they
 * happen, and a summary with the measured time model.
 */
export function attachSyncPlainReporter(handle: SyncHandle, out: Out, everyMs = 2000): void {
  const latest = new Map<string, SourceStatus>();
  const timer = setInterval(() => {
    for (const s of latest.values()) out(describeSource(s));
  }, everyMs);
  timer.unref();
  const off = handle.subscribe((e: SyncEvent) => {
    switch (e.type) {
      case 'sync-start': {
        const x = e.estimate;
        out(`syncing ${e.from}${e.sources.length > 1 ? ` (a cluster: ${e.sources.length} masters, in parallel)` : ''} db ${e.db}${e.match ? ` (keys matching "${e.match}")` : ''} into the cluster at ${e.seed} (${Object.keys(e.masters).length} masters); journal ${e.journal}`);
        out(`estimate: ${formatCount(x.keys)} keys, ${formatBytes(x.usedMemory)} used memory: full sync about ${formatDuration(x.totalSec)} (T_save ${formatDuration(x.saveSec)}, T_transfer + T_load ${formatDuration(x.transferLoadSec)})`);
        return;
      }
      case 'psync':
        if (e.kind === 'full') out(`${e.source}: full sync (replication id ${e.replid.slice(0, 8)}…, offset ${e.offset})${e.reason ? `: ${e.reason}` : ''}`);
        else out(`${e.source}: partial resync from offset ${e.asked} (replication id ${e.replid.slice(0, 8)}…): no second full sync`);
        return;
      case 'full-sync-done':
        out(`${e.source}: snapshot written: ${formatCount(e.keys)} keys${e.present ? `, ${formatCount(e.present)} already present` : ''}${e.expired ? `, ${formatCount(e.expired)} expired (skipped)` : ''}${e.reencoded ? `, ${formatCount(e.reencoded)} re-encoded` : ''}; ${describeTimes(e.times)}; applying the stream buffered meanwhile`);
        return;
      case 'lag':
        latest.set(e.source, e);
        return;
      case 'synced':
        out(`in sync: every source's lag reached 0 (applied offset${Object.keys(e.offsets).length > 1 ? 's' : ''} ${Object.values(e.offsets).join(', ')})`);
        return;
      case 'cutover':
      case 'stopping':
        out(e.message);
        return;
      case 'link-lost':
        out(`${e.source}: link lost (${e.reason}); reconnecting from the applied offset`);
        return;
      case 'capacity':
        out(`capacity: ${e.message}`);
        return;
      case 'conflict':
        out(`conflict: key ${quoteKey(e.key)} already exists on ${e.master} with a different value (not overwritten; --replace overwrites)`);
        return;
      case 'sync-end': {
        clearInterval(timer);
        off();
        const s = e.summary;
        for (const x of s.sources) {
          out(describeSource(x));
          if (x.times) out(`  ${x.source} full sync: ${describeTimes(x.times)}`);
          out(`  ${x.source} stream: T_execute p50 ${ms(x.executeP50Ms)}, p99 ${ms(x.executeP99Ms)}; T_request ~${ms(x.requestMs)}; ${formatCount(x.skipped)} not applied (PING, PUBLISH, other databases)${x.splitTransactions ? `; ${formatCount(x.splitTransactions)} cross-slot transactions applied command by command` : ''}`);
        }
        out(`${s.failed ? 'failed' : s.stoppedBy === 'signal' ? 'stopped' : 'done'} after ${formatDuration(s.ms / 1000)}${s.reason ? `: ${s.reason}` : ''}`);
      }
    }
  });
}

/** One JSON object per event and line (`--json`). */
export function attachSyncNdjsonReporter(handle: SyncHandle, write: (line: string) => void): void {
  const off = handle.subscribe((e) => {
    write(JSON.stringify(e));
    if (e.type === 'sync-end') off();
  });
}
