/** The Redis replies and socket failures the executor reacts to differently. */
export type RedisErrorCode =
  | 'BUSYKEY'
  | 'TIMEOUT'
  | 'CLUSTERDOWN'
  | 'TRYAGAIN'
  | 'MOVED'
  | 'ASK'
  | 'NOPERM'
  | 'IOERR'
  | 'CONNECTION'
  | 'OTHER';

/** Classify an error from ioredis or a Redis reply. */
export function classifyRedisError(error: unknown): RedisErrorCode {
  const msg = (error as Error)?.message ?? String(error);
  if (/BUSYKEY/.test(msg)) return 'BUSYKEY';
  if (/^IOERR.*timeout|timed out|ETIMEDOUT/i.test(msg)) return 'TIMEOUT';
  if (/^IOERR/.test(msg)) return 'IOERR';
  if (/^CLUSTERDOWN/.test(msg)) return 'CLUSTERDOWN';
  if (/^TRYAGAIN/.test(msg)) return 'TRYAGAIN';
  if (/^MOVED/.test(msg)) return 'MOVED';
  if (/^ASK/.test(msg)) return 'ASK';
  if (/^NOPERM|^NOAUTH|^WRONGPASS/.test(msg)) return 'NOPERM';
  if (/ECONNREFUSED|ECONNRESET|EPIPE|Connection is closed|Stream isn't writeable|socket/i.test(msg)) return 'CONNECTION';
  return 'OTHER';
}

/** First line of an error, for one-line reasons. */
export function errorLine(error: unknown): string {
  const msg = (error as Error)?.message ?? String(error);
  return msg.split('\n')[0]!.trim();
}
