import { UsageError } from '../../errors.js';

/** A timeout option in seconds, grouped with the node options. */
export function secondsOption(describe: string, fallback: number) {
  return { type: 'number' as const, default: fallback, describe, group: 'Node:' };
}

/** Seconds from the command line to milliseconds, refusing what cannot be a timeout. */
export function timeoutMs(seconds: number, option: string): number {
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`Expected ${option} to be a number of seconds > 0, got ${seconds}`);
  return Math.round(seconds * 1000);
}
