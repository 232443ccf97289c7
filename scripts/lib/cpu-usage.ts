/**
 * CPU time for the bench, from /proc (Linux): what the tool under test and the Redis nodes spent
 * during a run. On a machine with few cores the two compete for them, so a run's wall time alone
 * cannot say whether a tool waits (on round trips, like redis-cli) or is short of CPU.
 */
import { readFileSync } from 'node:fs';

/** /proc counts in clock ticks of USER_HZ, which Linux fixes at 100 for user space on every architecture. */
const TICKS_PER_SECOND = 100;

/**
 * Seconds of CPU in one /proc/<pid>/stat text: the process's own user + system time (`self`, fields
 * 14 and 15), or that of its children it has waited for (`children`, fields 16 and 17). The command
 * name (field 2) may hold spaces and parentheses, so fields are counted from its last `)`.
 */
export function cpuOfStat(stat: string, which: 'self' | 'children'): number {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // `rest[0]` is field 3 (state).
  const at = which === 'self' ? 11 : 13;
  const user = Number(rest[at]);
  const system = Number(rest[at + 1]);
  if (!Number.isFinite(user) || !Number.isFinite(system)) throw new Error(`not a /proc stat line: ${stat.slice(0, 80)}`);
  return (user + system) / TICKS_PER_SECOND;
}

/** CPU seconds a live process has used so far; null once it is gone (or off Linux). */
export function processCpuSeconds(pid: number): number | null {
  try {
    return cpuOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'), 'self');
  } catch {
    return null;
  }
}

/** CPU seconds of every child this process has reaped so far (a finished tool run is one); null off Linux. */
export function reapedChildrenCpuSeconds(): number | null {
  try {
    return cpuOfStat(readFileSync('/proc/self/stat', 'utf8'), 'children');
  } catch {
    return null;
  }
}

/** Sum of `processCpuSeconds` over live processes; null if none could be read. */
export function totalCpuSeconds(pids: readonly number[]): number | null {
  const each = pids.map(processCpuSeconds).filter((s): s is number => s !== null);
  return each.length ? each.reduce((a, b) => a + b, 0) : null;
}
