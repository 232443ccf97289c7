import { readFileSync } from 'node:fs';
import { Redis, type RedisOptions } from 'ioredis';
import { UnreachableError, UsageError } from '../errors.js';

/** How to talk to every node of a cluster. Holds secrets: never print or serialise it. */
export interface ConnectionOptions {
  readonly user?: string;
  readonly password?: string;
  readonly tls?: TlsOptions;
  /** Connect timeout per node, ms. */
  readonly connectTimeoutMs?: number;
}

export interface TlsOptions {
  /** PEM contents (not paths): read once when the options are resolved. */
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  /** Skip certificate verification (self-signed test clusters). */
  readonly insecure?: boolean;
}

export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Parse `host:port` (IPv6 as `[::1]:7000`). Throws UsageError with what was wrong. */
export function parseAddr(text: string, what = 'address'): HostPort {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text);
  if (!m) throw new UsageError(`Expected ${what} to be HOST:PORT, got "${text}"`);
  const port = Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`Expected ${what} port to be 1-65535, got "${m[2]}"`);
  }
  return { host: m[1]!, port };
}

/** `host:port`, the node key used everywhere (as ioredis does). */
export function formatAddr({ host, port }: HostPort): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Read TLS material from files; a missing file is a usage error naming the option, not the content. */
export function readTlsFiles(paths: { ca?: string; cert?: string; key?: string; insecure?: boolean }): TlsOptions {
  const read = (path: string | undefined, option: string): string | undefined => {
    if (path === undefined) return undefined;
    try {
      return readFileSync(path, 'utf8');
    } catch {
      throw new UsageError(`cannot read ${option} file ${path}`);
    }
  };
  return {
    ca: read(paths.ca, '--tls-ca'),
    cert: read(paths.cert, '--tls-cert'),
    key: read(paths.key, '--tls-key'),
    insecure: paths.insecure ?? false,
  };
}

/** ioredis options for one node, without retries: slotpilot decides what to retry. */
export function redisOptions(addr: HostPort, conn: ConnectionOptions): RedisOptions {
  return {
    host: addr.host,
    port: addr.port,
    username: conn.user,
    password: conn.password,
    lazyConnect: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableReadyCheck: false,
    connectTimeout: conn.connectTimeoutMs ?? 5000,
    connectionName: 'slotpilot',
    tls: conn.tls ? tlsSocketOptions(conn.tls) : undefined,
  };
}

/** Node TLS socket options from slotpilot's TLS settings (shared by ioredis and the executor's connections). */
export function tlsSocketOptions(tls: TlsOptions) {
  return {
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: !tls.insecure,
    // Cluster nodes are addressed by IP; the certificate names the host. Only when insecure: an
    // explicit `checkServerIdentity: undefined` replaces Node's default with nothing, and every
    // verified TLS connection then dies with an internal assertion ("a bug in Node.js").
    ...(tls.insecure ? { checkServerIdentity: () => undefined } : {}),
  };
}

/** Turn a connect/auth failure into a one-line reason an admin understands. */
/** describeConnectError's reason when nothing listens at the address. */
export const CONNECTION_REFUSED = 'connection refused';

export function describeConnectError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  const msg = e?.message ?? String(error);
  if (e?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(msg)) return CONNECTION_REFUSED;
  if (e?.code === 'ETIMEDOUT' || /ETIMEDOUT|timed? ?out/i.test(msg)) return 'connection timed out';
  if (e?.code === 'ENOTFOUND' || /ENOTFOUND|EAI_AGAIN/.test(msg)) return 'host not found';
  if (e?.code === 'EHOSTUNREACH') return 'host unreachable';
  if (/WRONGPASS|invalid password|invalid username-password/i.test(msg)) return 'authentication failed (wrong user or password)';
  if (/NOAUTH/.test(msg)) return 'authentication required (give --password or SLOTPILOT_PASSWORD)';
  if (/NOPERM/.test(msg)) return `permission denied: ${msg.replace(/^NOPERM\s*/, '')}`;
  if (/ssl|tls|certificate|wrong version number|EPROTO/i.test(msg)) return `TLS handshake failed (${msg.split('\n')[0]})`;
  if (/Connection is closed|ECONNRESET|socket hang up/i.test(msg)) return 'connection closed by the server (TLS or protocol mismatch?)';
  return msg.split('\n')[0]!;
}

/** Redis answers this to AUTH when it has no password: harmless, and ioredis would print a warning. */
const NO_PASSWORD_CONFIGURED = /without any password configured|no password is set|default.*does not require/i;

/**
 * Open a connection to one node and prove it answers (PING). Failures become UnreachableError with a
 * one-line reason; the caller owns the returned client and must `disconnect()` it. Authentication is
 * sent here rather than by ioredis so a password given to a password-less node is not a printed warning.
 */
export async function connectNode(addr: HostPort, conn: ConnectionOptions, extra: Partial<RedisOptions> = {}): Promise<Redis> {
  const { password: _password, username: _username, ...options } = redisOptions(addr, conn);
  const client = new Redis({ ...options, ...extra });
  // The socket error (ECONNREFUSED, TLS) arrives as an event; the rejected connect() only says "closed".
  let socketError: unknown;
  client.on('error', (error) => {
    socketError ??= error;
  });
  try {
    await client.connect();
    if (conn.password) {
      const args = conn.user ? [conn.user, conn.password] : [conn.password];
      await client.call('AUTH', ...args).catch((error: Error) => {
        if (!NO_PASSWORD_CONFIGURED.test(error.message)) throw error;
      });
    }
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    const reason = describeConnectError(socketError ?? error);
    // A plaintext node reads a TLS hello as the start of an inline command and never answers.
    throw new UnreachableError(formatAddr(addr), conn.tls && reason === 'connection timed out' ? 'no TLS handshake answer (connection timed out; a plaintext node? then drop --tls)' : reason);
  }
}

/** The AUTH part of a MIGRATE command so the source can log in to the target. */
export function migrateAuthArgs(conn: ConnectionOptions): string[] {
  if (!conn.password) return [];
  return conn.user ? ['AUTH2', conn.user, conn.password] : ['AUTH', conn.password];
}
