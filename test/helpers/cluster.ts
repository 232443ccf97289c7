/**
 * Test access to real local clusters: the same harness as `npm run cluster`, plus a way to run the
 * built CLI as a user would. Every cluster started here is stopped in `afterAll`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { isAlive, startCluster, startClusterRetrying, type LocalCluster, type LocalClusterOptions } from '../../scripts/lib/local-cluster.js';

export type { LocalCluster, LocalNode } from '../../scripts/lib/local-cluster.js';
export { isAlive, startCluster };

/** The built CLI entry; `npm test` builds before running vitest. */
export const CLI = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url));

/** startCluster, tried once more on fresh ports when the setup fails (see startClusterRetrying). */
export function startTestCluster(opts: LocalClusterOptions): Promise<LocalCluster> {
  return startClusterRetrying(opts, 'test cluster');
}

/**
 * Start a cluster before the tests of the enclosing `describe` and stop it after them.
 * Returns a getter, because the cluster exists only once `beforeAll` has run.
 */
export function useCluster(opts: LocalClusterOptions): () => LocalCluster {
  let cluster: LocalCluster | undefined;
  beforeAll(async () => {
    cluster = await startTestCluster(opts);
  });
  afterAll(async () => {
    await cluster?.stop();
  });
  return () => {
    if (!cluster) throw new Error('cluster not started yet (use it inside a test)');
    return cluster;
  };
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly input?: string;
  readonly timeoutMs?: number;
}

/** Run `slotpilot <args>` without a TTY and collect its output. */
export function runCli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string | undefined> = { ...process.env, FORCE_COLOR: '0', ...opts.env };
    delete env.SLOTPILOT_SEED;
    delete env.SLOTPILOT_PASSWORD;
    delete env.REDISCLI_AUTH;
    Object.assign(env, opts.env);
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 110_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** CLUSTER NODES of every live node, without the volatile fields (ping/pong times, config epoch, link state). */
export async function clusterNodesFingerprint(cluster: LocalCluster): Promise<string[]> {
  const out: string[] = [];
  for (const node of cluster.nodes) {
    const client = cluster.client(node);
    try {
      const text = (await client.call('CLUSTER', 'NODES')) as string;
      const lines = text
        .trim()
        .split('\n')
        .map((l) => {
          const f = l.split(' ');
          // The config epoch (f[6]) is left out too: Redis resolves epoch collisions by itself (two
          // masters that bumped to the same epoch during earlier moves), at any moment, so it can
          // change while a refused command changes nothing; ownership and roles are what must not.
          return [f[0], f[1], f[2]?.replace('myself,', ''), f[3], ...f.slice(8)].join(' ');
        })
        .sort();
      out.push(`${node.addr}\n${lines.join('\n')}`);
    } catch {
      out.push(`${node.addr} unreachable`);
    } finally {
      client.disconnect();
    }
  }
  return out;
}

/** A client for each master as started (the caller disconnects them). */
export function masterClients(cluster: LocalCluster): ReturnType<LocalCluster['client']>[] {
  return cluster.nodes.filter((n) => n.role === 'master').map((n) => cluster.client(n));
}

/** DBSIZE summed over the masters. */
export async function countClusterKeys(cluster: LocalCluster): Promise<number> {
  const clients = masterClients(cluster);
  try {
    return (await Promise.all(clients.map((c) => c.dbsize()))).reduce((a, b) => a + b, 0);
  } finally {
    for (const c of clients) c.disconnect();
  }
}
