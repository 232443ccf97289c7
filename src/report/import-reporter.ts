import type { ImportEvent, ImportHandle } from '../import/types.js';
import { quoteKey } from '../redis/key-name.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';

type Out = (line: string) => void;

/** Running figures of an import, from its events. */
interface ImportTally {
  startedAt: number | null;
  sourceKeys: number;
  /** With --match the source's DBSIZE is not the total; progress is then estimated from SCAN calls. */
  match: boolean;
  batch: number;
  last: Extract<ImportEvent, { type: 'batch-done' }> | null;
  /** The validation pass of an RDB import, while it runs. */
  validating: Extract<ImportEvent, { type: 'validate-progress' }> | null;
}

/**
 * Share of the work done, 0..1. Without --match: keys scanned of the source's keys. With --match
 * SCAN returns only matching keys, but each call still walks about COUNT keys, so calls × COUNT of
 * the source's keys estimates the share.
 */
export function importShare(t: Pick<ImportTally, 'sourceKeys' | 'match' | 'batch'>, scanned: number, scanCalls: number, bytes?: { read: number; total: number }): number {
  // An RDB file: bytes read of its size, whatever --match selects.
  if (bytes) return bytes.total ? Math.min(0.999, bytes.read / bytes.total) : 1;
  if (!t.sourceKeys) return 1;
  const walked = t.match ? scanCalls * t.batch : scanned;
  return Math.min(0.999, walked / t.sourceKeys);
}

function progressLine(t: ImportTally, now: number, finished = false): string {
  const b = t.last;
  const elapsed = t.startedAt === null ? 0 : (now - t.startedAt) / 1000;
  const scanned = b?.scanned ?? 0;
  const written = (b?.restored ?? 0) + (b?.alreadyPresent ?? 0);
  const rate = elapsed > 0 ? written / elapsed : 0;
  const bytes = b?.totalBytes !== undefined ? { read: b.bytesRead ?? 0, total: b.totalBytes } : undefined;
  const share = finished ? 1 : importShare(t, scanned, b?.scanCalls ?? 0, bytes);
  const eta = share > 0 && elapsed > 0 ? (elapsed / share) * (1 - share) : NaN;
  const perMaster = Object.entries(b?.perMaster ?? {})
    .map(([addr, n]) => `${addr} ${formatCount(n)}`)
    .join(', ');
  return `[${formatDuration(elapsed)}] keys ${formatCount(written)}${t.match ? '' : `/${formatCount(t.sourceKeys)}`} (${Math.floor(share * 100)}%)${bytes ? ` · read ${formatBytes(bytes.read)}/${formatBytes(bytes.total)}` : ''} · ${formatCount(rate)} keys/s${b?.deleted ? ` · deleted from source ${formatCount(b.deleted)}` : ''} · ETA ${formatDuration(eta)}${perMaster ? ` · ${perMaster}` : ''}`;
}

/**
 * Lines for logs and CI: the start, a progress line every `everyMs`, each conflict and failure as
 * it happens, the verification and a summary.
 */
export function attachImportPlainReporter(handle: ImportHandle, out: Out, batch: number, everyMs = 2000): void {
  const tally: ImportTally = { startedAt: null, sourceKeys: 0, match: false, batch, last: null, validating: null };
  let ended = false;
  const timer = setInterval(() => {
    const v = tally.validating;
    if (v) out(`validating: ${formatBytes(v.bytes)}/${formatBytes(v.totalBytes)} (${v.totalBytes ? Math.floor((v.bytes / v.totalBytes) * 100) : 100}%) read and checked`);
    else if (tally.startedAt !== null && !ended) out(progressLine(tally, Date.now()));
  }, everyMs);
  timer.unref();
  const off = handle.subscribe((e) => {
    if (e.type === 'validate-progress') {
      if (e.bytes === 0) out(`validating ${formatBytes(e.totalBytes)}: structure, every encoding and the checksum, before anything is written`);
      tally.validating = e;
    } else if (e.type === 'validated') {
      tally.validating = null;
      out(`validated ${e.file}: RDB ${e.version} (${e.flavor}), ${formatCount(e.keys)} keys to import${e.expired ? ` (${formatCount(e.expired)} already expired, skipped)` : ''}, ${e.checksumChecked ? 'checksum ok' : 'saved without checksum (structure checked only)'}; ${formatBytes(e.bytes)} in ${formatDuration(e.ms / 1000)}`);
    } else if (e.type === 'import-start' && e.method === 'rdb') {
      Object.assign(tally, { startedAt: e.t, sourceKeys: e.sourceKeys, match: e.match !== null });
      out(`importing ${e.match ? `keys matching "${e.match}"` : `${formatCount(e.sourceKeys)} keys`} of db ${e.db} from ${e.from} into ${Object.keys(e.masters).length} masters (RESTORE … ABSTTL through slotpilot)${e.replace ? ' (replacing existing keys)' : ''}${e.journal ? `; journal ${e.journal}` : ''}`);
    } else if (e.type === 'import-start') {
      Object.assign(tally, { startedAt: e.t, sourceKeys: e.sourceKeys, match: e.match !== null });
      out(`${e.mode === 'copy' ? 'copying' : 'moving'} ${e.match ? `keys matching "${e.match}"` : `${formatCount(e.sourceKeys)} keys`} from ${e.from} db ${e.db} into ${Object.keys(e.masters).length} masters (${e.method === 'migrate' ? 'MIGRATE from the source' : 'DUMP/RESTORE through slotpilot'})${e.replace ? ' (replacing existing keys)' : ''}${e.journal ? `; journal ${e.journal}` : ''}`);
    } else if (e.type === 'batch-done') tally.last = e;
    else if (e.type === 'conflict') out(`conflict: key ${quoteKey(e.key)} already exists on ${e.master} with a different value (not overwritten; --replace overwrites)`);
    else if (e.type === 'batch-failed') out(`failed: ${e.reason}`);
    else if (e.type === 'stopping') out(e.message);
    else if (e.type === 'verify') {
      out(`verify: cluster keys ${formatCount(e.clusterKeysBefore)} → ${formatCount(e.clusterKeysAfter)} (${e.exact ? '' : 'at most '}+${formatCount(e.expectedGrowth)} expected), ${formatCount(e.sampled)} sampled keys compared: ${e.ok ? 'ok' : `${e.mismatches.length} problem(s)`}`);
      for (const m of e.mismatches) out(`  ${m.key === '*' ? '' : `${quoteKey(m.key)}: `}${m.problem}`);
    } else if (e.type === 'import-end') {
      ended = true;
      clearInterval(timer);
      off();
      const s = e.summary;
      const secs = s.ms / 1000;
      out(progressLine(tally, e.t, !s.stoppedBy));
      out(
        `${s.stoppedBy ? 'stopped' : s.failed ? 'failed' : 'done'}: ${formatCount(s.restored)} keys imported in ${formatDuration(secs)} (${formatCount(secs > 0 ? s.restored / secs : 0)} keys/s)` +
          `${s.alreadyPresent ? `, ${formatCount(s.alreadyPresent)} already present` : ''}${s.mode === 'move' ? `, ${formatCount(s.deleted)} deleted from the source` : ''}` +
          `${s.changedOnSource ? `, ${formatCount(s.changedOnSource)} changed on the source meanwhile (kept there)` : ''}${s.expired !== undefined ? `${s.expired ? `, ${formatCount(s.expired)} expired (skipped)` : ''}${s.reencoded ? `, ${formatCount(s.reencoded)} re-encoded for their master` : ''}` : s.skipped ? `, ${formatCount(s.skipped)} vanished before they were read` : ''}${s.conflicts ? `, ${formatCount(s.conflicts)} conflict(s)` : ''}`,
      );
    }
  });
}

/** One JSON object per event and line (`--json`). */
export function attachImportNdjsonReporter(handle: ImportHandle, write: (line: string) => void): void {
  const off = handle.subscribe((e) => {
    write(JSON.stringify(e));
    if (e.type === 'import-end') off();
  });
}
