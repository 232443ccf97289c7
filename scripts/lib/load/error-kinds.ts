/**
 * Client errors by kind, with the first message of each kind: what an application would have seen.
 * The kinds follow the replies a migration can cause (MOVED, ASK, TRYAGAIN, CLUSTERDOWN, EXECABORT) and
 * the ways client libraries give up on them ("Cannot find node", "Too many Cluster redirections").
 */

export type ErrorTally = Record<string, { count: number; first: string }>;

/** The kind of a client error, from its message. */
export function errorKind(message: string): string {
  if (/Cannot find node/i.test(message)) return 'CANNOT-FIND-NODE';
  if (/Too many Cluster redirections/i.test(message)) return 'TOO-MANY-REDIRECTIONS';
  if (/Connection is closed|ECONNRESET|ECONNREFUSED|Socket closed|socket hang up|ClientClosed/i.test(message)) return 'CONNECTION';
  if (/timed? ?out/i.test(message)) return 'TIMEOUT';
  const word = /^([A-Z][A-Z-]{2,})\b/.exec(message)?.[1];
  return word ?? 'OTHER';
}

export function tallyError(tally: ErrorTally, kind: string, message: string): void {
  const entry = tally[kind];
  if (entry) entry.count++;
  else tally[kind] = { count: 1, first: message.slice(0, 200) };
}

export function errorCount(tally: ErrorTally): number {
  return Object.values(tally).reduce((n, e) => n + e.count, 0);
}
