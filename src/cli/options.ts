import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { parseAddr, readTlsFiles, type ConnectionOptions, type HostPort } from '../redis/connection.js';

/** The connection option group every command that talks to a cluster shares. */
export function withConnectionOptions<T>(y: Argv<T>) {
  return y
    .option('seed', {
      type: 'string',
      describe: 'Any node of the cluster, HOST:PORT (env SLOTPILOT_SEED)',
      group: 'Connection:',
    })
    .option('user', { type: 'string', describe: 'ACL user name', group: 'Connection:' })
    .option('password', {
      type: 'string',
      describe: 'Password (env SLOTPILOT_PASSWORD or REDISCLI_AUTH; prefer those)',
      group: 'Connection:',
    })
    .option('tls', { type: 'boolean', describe: 'Connect with TLS', group: 'Connection:' })
    .option('tls-ca', { type: 'string', describe: 'CA certificate file (PEM)', group: 'Connection:' })
    .option('tls-cert', { type: 'string', describe: 'Client certificate file (PEM)', group: 'Connection:' })
    .option('tls-key', { type: 'string', describe: 'Client key file (PEM)', group: 'Connection:' })
    .option('tls-insecure', {
      type: 'boolean',
      describe: 'Do not verify the server certificate',
      group: 'Connection:',
    });
}

/** The raw argv fields of the connection group. */
export interface ConnectionArgs {
  readonly seed?: string;
  readonly user?: string;
  readonly password?: string;
  readonly tls?: boolean;
  readonly tlsCa?: string;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsInsecure?: boolean;
}

/** Connection options from flags, then environment. Reads TLS files. */
export function resolveConnection(args: ConnectionArgs, env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  const password = args.password ?? env.SLOTPILOT_PASSWORD ?? env.REDISCLI_AUTH;
  const user = args.user ?? env.SLOTPILOT_USER;
  const wantsTls = Boolean(args.tls || args.tlsCa || args.tlsCert || args.tlsKey || args.tlsInsecure);
  if (Boolean(args.tlsCert) !== Boolean(args.tlsKey)) {
    throw new UsageError('--tls-cert and --tls-key go together');
  }
  return {
    user: user || undefined,
    password: password || undefined,
    tls: wantsTls
      ? readTlsFiles({ ca: args.tlsCa, cert: args.tlsCert, key: args.tlsKey, insecure: args.tlsInsecure })
      : undefined,
  };
}

/** The seed address from `--seed` or `SLOTPILOT_SEED`; a usage error when neither is given. */
export function resolveSeed(args: ConnectionArgs, env: NodeJS.ProcessEnv = process.env): HostPort {
  const seed = args.seed ?? env.SLOTPILOT_SEED;
  if (!seed) throw new UsageError('missing --seed HOST:PORT (or set SLOTPILOT_SEED)');
  return parseAddr(seed, '--seed');
}

/** The raw argv fields of a source server (`import --from`, `sync --from`). */
export interface SourceArgs extends ConnectionArgs {
  readonly from?: string;
  readonly fromUser?: string;
  readonly fromPassword?: string;
  readonly fromTls: boolean;
  readonly db: number;
  readonly match?: string;
}

/**
 * The source's own credentials: its user, its password from `--from-password` or
 * SLOTPILOT_FROM_PASSWORD, and its TLS switch (a plain Redis often sits beside a TLS cluster, or
 * the reverse), with the cluster's certificate files.
 */
export function resolveSourceConnection(args: SourceArgs, env: NodeJS.ProcessEnv = process.env): ConnectionOptions {
  const password = args.fromPassword ?? env.SLOTPILOT_FROM_PASSWORD;
  const tls = args.fromTls ? resolveConnection({ ...args, tls: true }, env).tls : undefined;
  return { user: args.fromUser || undefined, password: password || undefined, tls };
}
