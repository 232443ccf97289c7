/**
 * `slotpilot sync` from other kinds of sources, and what it refuses: a cluster as the source (every
 * master synced in parallel, each its own replication id), a password/ACL source (no secret in any
 * output, journal or metric), a source that refuses PSYNC (a clear message pointing at import), and
 * bad input — an unreachable source (exit 1), the source a node of the target, a journal of another
 * source, conflicting options, a target without room (exit 2, one line, nothing written) — and an
 * evicting target during the run (exit 1).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { findFreePorts } from '../../scripts/lib/free-ports.js';
import { loadStandaloneKeys } from '../../scripts/lib/standalone-keys.js';
import { countClusterKeys, masterClients, runCli, startCluster, useCluster, type LocalCluster } from '../helpers/cluster.js';
import { expectNoSecret, expectOneLineError } from '../helpers/secrets.js';
import { compareWithCluster, spawnCli, startSource, type SourceServer } from '../helpers/sync-kit.js';
import { waitFor } from '../helpers/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'slotpilot-sync-src-'));
const cluster = useCluster({ masters: 3 });
let n = 0;
const journal = (): string => join(dir, `sync-${++n}.ndjson`);
const sources: SourceServer[] = [];
afterAll(() => sources.forEach((s) => s.stop()));

beforeEach(async () => {
  const clients = masterClients(cluster());
  await Promise.all(clients.map((c) => c.flushall().then(() => c.config('SET', 'maxmemory', '0'))));
  for (const c of clients) c.disconnect();
});

async function source(extra: string[] = [], password?: string): Promise<SourceServer> {
  const s = await startSource(extra, password);
  sources.push(s);
  return s;
}

const sync = (...args: string[]) => runCli(['sync', '--seed', cluster().seed, '--yes', '--no-tui', ...args]);

describe('slotpilot sync from a cluster, from a protected source, and its refusals', () => {
  it('syncs every master of a source cluster in parallel, each with its own replication id', async () => {
    const from: LocalCluster = await startCluster({ masters: 2, keys: 3000 });
    try {
      const j = journal();
      const r = await sync('--from', from.seed, '--exit-when-synced', '--json', '--journal', j);
      expect(r.code, r.stderr).toBe(0);
      const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });
      const start = events.find((e) => e.type === 'sync-start')!;
      expect(start.sources).toHaveLength(2);
      const psyncs = events.filter((e) => e.type === 'psync');
      expect(psyncs.map((e) => e.kind)).toEqual(['full', 'full']);
      expect(new Set(psyncs.map((e) => e.replid)).size).toBe(2);
      expect(await countClusterKeys(cluster())).toBe(3000);
      const checkpoints = readFileSync(j, 'utf8').split('\n').filter((l) => l.includes('"checkpoint"')).map((l) => JSON.parse(l) as { source: string });
      expect(new Set(checkpoints.map((c) => c.source)).size).toBe(2);
    } finally {
      await from.stop();
    }
  });

  it('syncs from an ACL user with a password given in the environment; no secret anywhere, metrics on 127.0.0.1', async () => {
    const secret = 'sync-s3cret-Pw';
    const s = await source(['--user', 'default', 'on', 'nopass', '~*', '&*', '+@all', '--user', 'repl', 'on', `>${secret}`, '~*', '+psync', '+replconf', '+ping', '+info', '+command', '+select', '+client'], undefined);
    const c = s.client();
    await c.connect();
    await c.set('k', 'v');
    await c.call('ACL', 'SETUSER', 'default', 'off');
    c.disconnect();
    const j = journal();
    const [port] = await findFreePorts(1);
    const run = spawnCli(['sync', '--from', s.addr, '--seed', cluster().seed, '--yes', '--no-tui', '--journal', j, '--from-user', 'repl', '--metrics-port', String(port)], { SLOTPILOT_FROM_PASSWORD: secret });
    await waitFor('the run to be in sync', () => /in sync/.test(run.out()), { timeoutMs: 30_000 });
    const metrics = await new Promise<string>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/metrics' }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
      }).on('error', reject).end();
    });
    expect(metrics).toMatch(new RegExp(`slotpilot_sync_lag_bytes\\{source="127\\.0\\.0\\.1:${s.port}"\\} \\d+`));
    expect(metrics).toMatch(/slotpilot_sync_commands_applied/);
    run.child.kill('SIGTERM');
    expect(await run.done).toBe(130);
    expect(await countClusterKeys(cluster())).toBe(1);
    expectNoSecret({ stdout: run.out(), stderr: run.err(), journal: readFileSync(j, 'utf8'), metrics }, [secret]);
    const wrong = await sync('--from', s.addr, '--from-user', 'repl', '--from-password', 'nope', '--exit-when-synced', '--journal', journal());
    expect(wrong.code).toBe(1);
    expectOneLineError(wrong.stderr);
    expect(wrong.stderr).toMatch(/authentication failed/);
  });

  it('a source that refuses PSYNC (as managed services do): exit 2, one line pointing at import, nothing written', async () => {
    // On the command line the quotes of `""` are literal, so two renames to `""` collide: rename to names nobody knows.
    const s = await source(['--rename-command', 'PSYNC', 'psync-hidden-x', '--rename-command', 'SYNC', 'sync-hidden-x']);
    await loadStandaloneKeys(s.addr, { count: 100 });
    const r = await sync('--from', s.addr, '--exit-when-synced', '--journal', journal());
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr);
    expect(r.stderr).toMatch(/refuses to replicate .*PSYNC.*slotpilot import --from/);
    expect(await countClusterKeys(cluster())).toBe(0);
  });

  it('bad input: exit 2 (1 when unreachable), one line, nothing written', async () => {
    const s = await source();
    const c = s.client();
    await c.connect();
    await c.set('k', 'v');
    const [free] = await findFreePorts(1);
    const other = journal();
    writeFileSync(other, `${JSON.stringify({ kind: 'slotpilot-sync-journal', version: 1, runId: 'x', startedAt: '', seed: cluster().seed, from: '127.0.0.1:1', sources: [], db: 0, match: null })}\n`);
    const v2 = journal();
    writeFileSync(v2, `${JSON.stringify({ kind: 'slotpilot-sync-journal', version: 2 })}\n`);
    const cases: [string[], number, RegExp][] = [
      [['--from', `127.0.0.1:${free}`], 1, /cannot reach 127\.0\.0\.1:\d+: connection refused/],
      [['--from', cluster().seed], 2, /is a node of the target cluster/],
      [['--from', s.addr, '--journal', other], 2, /journal of a sync from 127\.0\.0\.1:1, not from/],
      [['--from', s.addr, '--journal', v2], 2, /sync journal version 2/],
      [['--from', s.addr, '--cutover', '--exit-when-synced'], 2, /cannot be used together/],
      [['--from', s.addr, '--metrics-host', '0.0.0.0'], 2, /--metrics-host needs --metrics-port/],
      [['--from', s.addr, '--db', '-1'], 2, /--db to be a whole number/],
      [['--from', s.addr, '--db', '99'], 2, /has no database 99/],
      [['--from', 'nonsense'], 2, /--from to be HOST:PORT/],
    ];
    for (const [args, code, message] of cases) {
      const r = await sync(...args, ...(args.includes('--journal') ? [] : ['--journal', journal()]));
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expectOneLineError(r.stderr);
      expect(r.stderr).toMatch(message);
    }
    expect(await countClusterKeys(cluster())).toBe(0);
    c.disconnect();
  });

  it('refuses a target without room for the source (exit 2, nothing written); with --ignore-capacity an evicting target stops the run, exit 1', async () => {
    const s = await source();
    await loadStandaloneKeys(s.addr, { count: 30_000, kind: 'strings', valueSize: 200 });
    const target = masterClients(cluster());
    await target[0]!.config('SET', 'maxmemory', '3mb');
    await target[0]!.config('SET', 'maxmemory-policy', 'allkeys-random');
    const refused = await sync('--from', s.addr, '--exit-when-synced', '--journal', journal());
    expect(refused.code).toBe(2);
    expectOneLineError(refused.stderr);
    expect(refused.stderr).toMatch(/not enough room: .* would hold about .*maxmemory-policy allkeys-random: Redis would evict keys.*--ignore-capacity/);
    expect(await countClusterKeys(cluster())).toBe(0);
    const evicting = await sync('--from', s.addr, '--exit-when-synced', '--ignore-capacity', '--journal', journal());
    expect(evicting.code).toBe(1);
    expect(evicting.stdout).toMatch(/--ignore-capacity: going on although/);
    expect(evicting.stderr).toMatch(/evicted/);
    for (const t of target) t.disconnect();
  });

  it('a small source (diskless framing) equals the target key by key after --exit-when-synced', async () => {
    const s = await source();
    await loadStandaloneKeys(s.addr, { count: 1000 });
    const r = await sync('--from', s.addr, '--exit-when-synced', '--journal', journal());
    expect(r.code, r.stderr).toBe(0);
    const c = s.client();
    await c.connect();
    expect(await compareWithCluster(c, cluster())).toEqual([]);
    c.disconnect();
  });
});
