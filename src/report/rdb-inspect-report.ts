import { estimateRdbImportSeconds } from '../import/estimate-rdb.js';
import type { RdbInspection } from '../rdb/inspect-file.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';

/** The aux fields worth a line of their own, in this order; others follow. */
const KNOWN_AUX = ['redis-ver', 'valkey-ver', 'redis-bits', 'ctime', 'used-mem', 'repl-id', 'repl-offset', 'aof-base'];

function auxValue(key: string, value: string): string {
  if (key === 'ctime' && /^\d+$/.test(value)) return `${value} (${new Date(Number(value) * 1000).toISOString()})`;
  if (key === 'used-mem' && /^\d+$/.test(value)) return `${value} (${formatBytes(Number(value))})`;
  return value;
}

/** `inspect-rdb`'s text: header and aux fields, keys per database and encoding, TTLs, biggest keys, estimate. */
export function formatInspection(r: RdbInspection): string[] {
  const lines = [`${r.file}: ${formatBytes(r.bytes)}, RDB version ${r.version} (${r.flavor}), checksum ${r.checksumChecked ? 'ok' : 'not stored (saved with rdbchecksum no): structure checked only'}`];
  const aux = Object.keys(r.aux).sort((a, b) => (KNOWN_AUX.indexOf(a) + 1 || 99) - (KNOWN_AUX.indexOf(b) + 1 || 99));
  for (const k of aux) lines.push(`  aux ${k}: ${auxValue(k, r.aux[k]!)}`);
  lines.push(`keys: ${formatCount(r.keys)} (${formatCount(r.withTtl)} with a TTL, ${formatCount(r.expired)} already expired), ${formatBytes(r.valueBytes)} serialized`);
  for (const db of r.databases) {
    lines.push(`  db ${db.db}: ${formatCount(db.keys)} keys, ${formatCount(db.withTtl)} with a TTL, ${formatCount(db.expired)} expired`);
    for (const [enc, n] of Object.entries(db.encodings).sort((a, b) => b[1] - a[1])) lines.push(`    ${enc.padEnd(40)} ${formatCount(n).padStart(12)}`);
  }
  if (r.functions) lines.push(`function libraries: ${r.functions} (not imported: load them with FUNCTION LOAD on every master)`);
  if (r.modules.length) lines.push(`modules: ${r.modules.join(', ')} (their keys cannot be imported by slotpilot)`);
  if (r.biggest.length) {
    lines.push('biggest keys (serialized size):');
    for (const k of r.biggest) lines.push(`  ${formatBytes(k.bytes).padStart(10)}  db ${k.db}  ${k.kind}/${k.encoding}  ${JSON.stringify(k.key)}`);
  }
  const keys = r.keys - r.expired;
  lines.push(`read in ${formatDuration(r.readMs / 1000)} (${formatBytes(r.readMs ? (r.bytes / r.readMs) * 1000 : 0)}/s); estimated import into a cluster: ${formatDuration(estimateRdbImportSeconds(keys, r.valueBytes))} for ${formatCount(keys)} keys`);
  return lines;
}
