/** Human figures for tables and progress lines. */

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/**
 * A whole number with thousands separators, as `toLocaleString('en-US')` writes it, without it: its
 * first call sets up ICU's number formatting (~5 ms in the CLI, where yargs' Intl.Segmenters already
 * loaded ICU; ~20 ms in a bare process) before a plan's first table line.
 */
export function formatCount(n: number): string {
  const r = Math.round(n);
  if (!Number.isFinite(r)) return r.toLocaleString('en-US');
  return String(r).replace(/\B(?=(\d{3})+$)/g, ',');
}

/**
 * Code-point order for host names and addresses (ASCII): a stable order for tables and tie-breaks
 * without `localeCompare`, whose first call sets up ICU's collation (~1 ms in the CLI, ~10 ms bare).
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  if (m < 90) return `${m}m${String(s).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
