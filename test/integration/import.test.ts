/**
 * `slotpilot import` against a real local cluster and a real standalone redis-server: mixed types with
 * TTLs arrive with value and TTL, copy leaves the source alone, move empties it, --match filters,
 * conflicts stop without overwriting unless --replace, an interrupted move loses nothing and a re-run
 * finishes it, and bad input changes nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findFreePorts } from '../../scripts/lib/free-ports.js';
import { readSlotMap, sampleKey, verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { loadStandaloneKeys } from '../../scripts/lib/standalone-keys.js';
import { CLI, countClusterKeys, masterClients, runCli, useCluster } from '../helpers/cluster.js';
import { startStandalone, type StandaloneRedis } from '../helpers/standalone.js';
import { makeTlsFiles, readTlsPem } from '../helpers/tls.js';

const KEYS = 20_000;
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-import-'));
const cluster = useCluster({ masters: 3 });
let source: StandaloneRedis;
let src: Redis;

beforeAll(async () => {
  source = await startStandalone();
  src = source.client();
  await src.connect();
});

afterAll(() => {
  src?.disconnect();
  source?.stop();
});

const masters = async (): Promise<Redis[]> => masterClients(cluster());
const clusterKeyCount = (): Promise<number> => countClusterKeys(cluster());

/** Run `fn` on the master owning `key`. */
async function onOwner<T>(key: string, fn: (c: Redis) => Promise<T>): Promise<T> {
  const seed = cluster().client(cluster().seed);
  const owners = await readSlotMap(seed).finally(() => seed.disconnect());
  const c = cluster().client(owners[calculateSlot(key)]!);
  try {
    return await fn(c);
  } finally {
    c.disconnect();
  }
}

/** PTTL of every sample key that has a TTL, read at `at`. */
async function readTtls(read: (keys: string[]) => Promise<number[]>): Promise<{ at: number; ttls: Map<string, number> }> {
  const keys = Array.from({ length: KEYS }, (_, i) => sampleKey(i)).filter((k) => k.ttl !== null).map((k) => k.key);
  const at = Date.now();
  const values = await read(keys);
  return { at, ttls: new Map(keys.map((k, i) => [k, values[i]!])) };
}

async function sourceTtls(): Promise<{ at: number; ttls: Map<string, number> }> {
  return readTtls(async (keys) => {
    const p = src.pipeline();
    for (const k of keys) p.pttl(k);
    return ((await p.exec()) ?? []).map(([, v]) => Number(v));
  });
}

async function clusterTtls(): Promise<{ at: number; ttls: Map<string, number> }> {
  const seed = cluster().client(cluster().seed);
  const owners = await readSlotMap(seed).finally(() => seed.disconnect());
  return readTtls(async (keys) => {
    const out = new Array<number>(keys.length);
    const clients = new Map<string, Redis>();
    try {
      await Promise.all(
        keys.map(async (k, i) => {
          const addr = owners[calculateSlot(k)]!;
          if (!clients.has(addr)) clients.set(addr, cluster().client(addr));
          out[i] = await clients.get(addr)!.pttl(k);
        }),
      );
    } finally {
      for (const c of clients.values()) c.disconnect();
    }
    return out;
  });
}

/** Every TTL in the cluster is the source's, minus the time that passed, within 1 s. */
function expectTtlsCarried(before: { at: number; ttls: Map<string, number> }, after: { at: number; ttls: Map<string, number> }): void {
  const elapsed = after.at - before.at;
  const bad = [...before.ttls].filter(([key, ttl]) => {
    const now = after.ttls.get(key) ?? -2;
    return ttl <= 0 || now < ttl - elapsed - 1000 || now > ttl + 1000;
  });
  expect(bad.slice(0, 5)).toEqual([]);
  expect(before.ttls.size).toBe(KEYS / 5);
}

/** The data path under test (see ImportOptions.method); the default is migrate. */
let method = 'migrate';

function importArgs(...extra: string[]): string[] {
  return ['import', '--seed', cluster().seed, '--from', source.addr, '--method', method, '--journal', join(dir, `journal-${Date.now()}.ndjson`), ...extra];
}

async function resetBoth(keys = KEYS): Promise<void> {
  const clients = await masters();
  await Promise.all(clients.map((c) => c.flushall()));
  for (const c of clients) c.disconnect();
  await src.flushall();
  if (keys) await loadStandaloneKeys(source.addr, { count: keys });
}

describe.each(['migrate', 'restore'])('slotpilot import --method %s', (m) => {
  beforeAll(() => {
    method = m;
  });
  beforeEach(async () => {
    await resetBoth();
  });

  // The restore path's BUSYKEY settlement also runs in migrate mode (as its fallback), so these two run once.
  const onceOnly = m === 'migrate' ? it : it.skip;

  onceOnly('copies every key with its value and TTL and leaves the source untouched; a re-run finds them already present', async () => {
    const before = await sourceTtls();
    const r = await runCli(importArgs('--copy', '--yes'));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/verify: .*ok/);
    expect(r.stdout).toMatch(/done: 20,000 keys imported/);
    expect(await verifySampleKeys([cluster().seed], { count: KEYS })).toEqual([]);
    expectTtlsCarried(before, await clusterTtls());
    expect(await clusterKeyCount()).toBe(KEYS);
    expect(await src.dbsize()).toBe(KEYS);

    const again = await runCli(importArgs('--copy', '--yes'));
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/0 keys imported .*20,000 already present/);
    expect(await clusterKeyCount()).toBe(KEYS);
  });

  it('moves every key (deleted from the source) with its value and TTL; NDJSON events and a journal without secrets', async () => {
    const before = await sourceTtls();
    const journal = join(dir, 'move.ndjson');
    const r = await runCli(['import', '--seed', cluster().seed, '--from', source.addr, '--method', method, '--yes', '--json', '--journal', journal]);
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; summary?: { restored: number; deleted: number } });
    expect(events[0]!.type).toBe('import-start');
    expect(events.at(-1)).toMatchObject({ type: 'import-end', summary: { restored: KEYS, deleted: KEYS } });
    expect(events.some((e) => e.type === 'verify')).toBe(true);
    expect(await src.dbsize()).toBe(0);
    expect(await verifySampleKeys([cluster().seed], { count: KEYS })).toEqual([]);
    expectTtlsCarried(before, await clusterTtls());
    const lines = readFileSync(journal, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]!)).toMatchObject({ kind: 'slotpilot-import-journal', version: 1, mode: 'move' });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ type: 'import-end' });
  });

  onceOnly('stops at a conflicting key naming it, overwrites nothing; --replace overwrites', async () => {
    await onOwner('sp:5', (c) => c.set('sp:5', 'already here'));
    const r = await runCli(importArgs('--copy', '--yes'));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/key "sp:5" already exists in the cluster .*--replace/);
    expect(await onOwner('sp:5', (c) => c.get('sp:5'))).toBe('already here');

    const replaced = await runCli(importArgs('--copy', '--yes', '--replace'));
    expect(replaced.code).toBe(0);
    expect(await verifySampleKeys([cluster().seed], { count: KEYS })).toEqual([]);
    expect(await clusterKeyCount()).toBe(KEYS);
  });

  it('an interrupted move loses no key, exits 130, and a re-run finishes it', async () => {
    const child = spawn(process.execPath, [CLI, ...importArgs('--yes', '--json', '--batch', '50', '--in-flight', '1')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!signalled && stdout.includes('"batch-done"')) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(stderr).toMatch(/interrupted after .* keys; run the same command again/);
    const left = await src.dbsize();
    const moved = await clusterKeyCount();
    expect(left).toBeGreaterThan(0);
    expect(moved).toBeGreaterThan(0);
    // Each key is in the cluster, the source, or (acknowledged but not yet deleted) both.
    expect(left + moved).toBeGreaterThanOrEqual(KEYS);

    const rerun = await runCli(importArgs('--yes'));
    expect(rerun.code).toBe(0);
    expect(await src.dbsize()).toBe(0);
    expect(await clusterKeyCount()).toBe(KEYS);
    expect(await verifySampleKeys([cluster().seed], { count: KEYS })).toEqual([]);
  });
});

describe('slotpilot import', () => {
  beforeAll(() => {
    method = 'migrate';
  });
  beforeEach(async () => {
    await resetBoth();
  });

  it('--db reads another database of the source', async () => {
    await loadStandaloneKeys(source.addr, { count: 300, prefix: 'db1' }, 1);
    const r = await runCli(importArgs('--db', '1', '--yes'));
    expect(r.code).toBe(0);
    expect(await clusterKeyCount()).toBe(300);
    expect(await verifySampleKeys([cluster().seed], { count: 300, prefix: 'db1' })).toEqual([]);
    expect(await src.dbsize()).toBe(KEYS);
  });

  it('--match imports only matching keys', async () => {
    const r = await runCli(importArgs('--copy', '--yes', '--match', 'sp:1*'));
    expect(r.code).toBe(0);
    const matching = Array.from({ length: KEYS }, (_, i) => i).filter((i) => String(i).startsWith('1'));
    expect(await clusterKeyCount()).toBe(matching.length);
    expect(await onOwner('sp:1234', (c) => c.exists('sp:1234'))).toBe(1);
    expect(await onOwner('sp:2345', (c) => c.exists('sp:2345'))).toBe(0);
  });

  describe('refuses bad input with one line, changing nothing', () => {
    const nothingChanged = async (): Promise<void> => {
      expect(await clusterKeyCount()).toBe(0);
      expect(await src.dbsize()).toBe(KEYS);
    };

    it.each([
      [['--db', '99'], 2, /has no database 99/],
      [['--db', '-1'], 2, /Expected --db to be a whole number/],
      [['--db', 'x'], 2, /Expected --db to be a whole number/],
      [['--no-yes'], 2, /refusing to change the cluster without --yes/],
    ])('%j → exit %i', async (extra, code, message) => {
      const r = await runCli([...importArgs('--yes'), ...extra]);
      expect(r.code).toBe(code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      await nothingChanged();
    });

    it('a source that is a node of the cluster, or any cluster node', async () => {
      const self = await runCli(['import', '--seed', cluster().seed, '--from', cluster().nodes[1]!.addr, '--yes']);
      expect(self.code, self.stderr).toBe(2);
      expect(self.stderr).toMatch(/is a node of this cluster/);
      // A cluster-enabled node that belongs to no cluster, on a port free now (not one reserved earlier).
      const lone = await startStandalone(['--cluster-enabled', 'yes']);
      const other = await runCli(['import', '--seed', cluster().seed, '--from', lone.addr, '--yes']).finally(() => lone.stop());
      expect(other.code, other.stderr).toBe(2);
      expect(other.stderr.trim().split('\n')).toHaveLength(1);
      expect(other.stderr).toMatch(/is a cluster node; import reads from a standalone Redis/);
      await nothingChanged();
    });

    it('a cluster with an open slot (run fix first)', async () => {
      const [owner, other] = cluster().nodes;
      const c = cluster().client(owner!);
      await c.call('CLUSTER', 'SETSLOT', '100', 'MIGRATING', other!.id);
      try {
        const r = await runCli(['import', '--seed', cluster().seed, '--from', source.addr, '--yes']);
        expect(r.code).toBe(2);
        expect(r.stderr.trim().split('\n')).toHaveLength(1);
        expect(r.stderr).toMatch(/slot 100 is open \(migrating\).*slotpilot fix/);
        await nothingChanged();
      } finally {
        await c.call('CLUSTER', 'SETSLOT', '100', 'STABLE');
        c.disconnect();
      }
    });

    it('an unreachable source → exit 1', async () => {
      const [port] = await findFreePorts(1);
      const r = await runCli(['import', '--seed', cluster().seed, '--from', `127.0.0.1:${port}`, '--yes']);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/cannot reach 127\.0\.0\.1:\d+: connection refused/);
      await nothingChanged();
    });
  });
});

describe('slotpilot import with passwords on both sides', () => {
  const CLUSTER_PW = 'cluster-s3cret-pw';
  const SOURCE_PW = 'source-s3cret-pw';
  const secure = useCluster({ masters: 3, password: CLUSTER_PW });
  let locked: StandaloneRedis;

  beforeAll(async () => {
    // Password set after start: the helper's readiness check pings without one.
    locked = await startStandalone();
    const c = locked.client();
    await c.connect();
    await c.config('SET', 'requirepass', SOURCE_PW);
    c.disconnect();
    await loadStandaloneKeys(locked.addr, { count: 2000 }, 0, SOURCE_PW);
  });
  afterAll(() => locked?.stop());

  it.each(['migrate', 'restore'])('--method %s logs in to both (MIGRATE gets AUTH) and never prints or journals a password', async (how) => {
    const journal = join(dir, `secure-${how}.ndjson`);
    const r = await runCli(['import', '--seed', secure().seed, '--from', locked.addr, '--copy', '--replace', '--yes', '--method', how, '--journal', journal], {
      env: { SLOTPILOT_PASSWORD: CLUSTER_PW, SLOTPILOT_FROM_PASSWORD: SOURCE_PW },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(await verifySampleKeys([secure().seed], { count: 2000 }, CLUSTER_PW)).toEqual([]);
    for (const text of [r.stdout, r.stderr, readFileSync(journal, 'utf8')]) {
      expect(text).not.toContain(CLUSTER_PW);
      expect(text).not.toContain(SOURCE_PW);
    }
  });

  it('a wrong source password is exit 1 with a one-line reason', async () => {
    const r = await runCli(['import', '--seed', secure().seed, '--from', locked.addr, '--copy', '--yes', '--from-password', 'wrong'], { env: { SLOTPILOT_PASSWORD: CLUSTER_PW } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/authentication failed/);
  });
});

describe('slotpilot import into a TLS cluster from a plain source', () => {
  const tls = makeTlsFiles();
  const tlsCluster = useCluster({ masters: 3, tls });
  let plain: StandaloneRedis;

  beforeAll(async () => {
    plain = await startStandalone();
    await loadStandaloneKeys(plain.addr, { count: 2000 });
  });
  afterAll(() => plain?.stop());

  it('sends the data through slotpilot (the source has no TLS to the cluster) and verifies it', async () => {
    const r = await runCli(['import', '--seed', tlsCluster().seed, '--tls-ca', tls.caFile, '--tls-cert', tls.clientCertFile, '--tls-key', tls.clientKeyFile, '--from', plain.addr, '--copy', '--yes', '--journal', join(dir, 'tls.ndjson')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/DUMP\/RESTORE through slotpilot/);
    expect(await verifySampleKeys([tlsCluster().seed], { count: 2000 }, undefined, readTlsPem(tls))).toEqual([]);
  });
});
