import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRedisCli } from '../../scripts/lib/redis-binary.js';
import { findFreePorts } from '../../scripts/lib/free-ports.js';
import { parseClusterNodes } from '../../src/topology/parse-cluster-nodes.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { readSnapshotFile } from '../../src/topology/snapshot.js';
import { parseAddr } from '../../src/redis/connection.js';
import { runCli, useCluster } from '../helpers/cluster.js';
import { startStandalone, type StandaloneRedis } from '../helpers/standalone.js';

/** Ground truth: what redis-cli itself prints for CLUSTER NODES on that node. */
function redisCliClusterNodes(addr: string, password?: string): string {
  const { host, port } = parseAddr(addr);
  const env = { ...process.env, ...(password ? { REDISCLI_AUTH: password } : {}) };
  return execFileSync(ensureRedisCli(), ['-h', host, '-p', String(port), 'cluster', 'nodes'], { encoding: 'utf8', env });
}

function expectOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^slotpilot: /);
  expect(lines[0]).toMatch(pattern);
  expect(stderr).not.toMatch(/\n\s+at /);
}

describe('topology reader and check on a 3-master cluster with replicas', () => {
  const cluster = useCluster({ masters: 3, replicasPerMaster: 1, keys: 3000 });

  it('reads the same nodes, roles, slots and replicas as redis-cli cluster nodes', async () => {
    const c = cluster();
    const truth = parseClusterNodes(redisCliClusterNodes(c.seed));
    const t = await readTopology(parseAddr(c.seed), {});
    expect(t.nodes.map((n) => n.id).sort()).toEqual(truth.map((l) => l.id).sort());
    for (const line of truth) {
      const node = t.nodes.find((n) => n.id === line.id)!;
      expect(node).toMatchObject({ addr: line.addr, role: line.role, masterId: line.masterId, slots: line.slots, reachable: true, clusterState: 'ok' });
    }
    const masters = t.nodes.filter((n) => n.role === 'master');
    expect(masters).toHaveLength(3);
    for (const m of masters) expect(m.replicas).toHaveLength(1);
    expect(t.slotOwners.every((o) => o !== null)).toBe(true);
    expect(t.openSlots).toEqual([]);
    expect(t.disagreements).toEqual([]);
  });

  it('counts keys per slot and per master like the nodes do', async () => {
    const c = cluster();
    const t = await readTopology(parseAddr(c.seed), {});
    const masters = t.nodes.filter((n) => n.role === 'master');
    expect(t.slotKeys!.reduce((a, b) => a + b, 0)).toBe(3000);
    for (const m of masters) {
      const client = c.client(m.addr);
      expect(m.keys).toBe(await client.dbsize());
      const someSlot = m.slots[0]![0];
      expect(t.slotKeys![someSlot]).toBe(Number(await client.call('CLUSTER', 'COUNTKEYSINSLOT', String(someSlot))));
      client.disconnect();
      expect(m.usedMemory).toBeGreaterThan(0);
      expect(m.redisVersion).toMatch(/^\d+\.\d+/);
    }
  });

  it('check: exit 0 and a clean report on a healthy cluster', async () => {
    const r = await runCli(['check', '--seed', cluster().seed]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/3 masters, 3 replicas, 16384\/16384 slots covered, 3000 keys/);
    expect(r.stdout).toMatch(/^OK:/m);
    const json = await runCli(['check', '--seed', cluster().seed, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ healthy: true, problems: [] });
  });

  it('check: exit 3 naming the slot and both nodes when a slot is left open', async () => {
    const c = cluster();
    const t = await readTopology(parseAddr(c.seed), {}, { keys: false });
    const [a, b] = t.nodes.filter((n) => n.role === 'master');
    const slot = a!.slots[0]![0] + 7;
    const client = c.client(a!.addr);
    await client.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', b!.id);
    try {
      const r = await runCli(['check', '--seed', c.seed]);
      expect(r.code).toBe(3);
      expect(r.stdout).toContain(`slot ${slot} is open on ${a!.addr} (${a!.id.slice(0, 8)}): migrating to ${b!.addr}`);
      expect(r.stdout).toMatch(/hint: slotpilot fix/);
      const json = JSON.parse((await runCli(['check', '--seed', c.seed, '--json'])).stdout);
      expect(json.problems).toEqual([expect.objectContaining({ kind: 'open-slot', slots: [slot] })]);
    } finally {
      await client.call('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
      client.disconnect();
    }
    expect((await runCli(['check', '--seed', c.seed])).code).toBe(0);
  });

  it('snapshot: writes a versioned file that reads back as the same cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'slotpilot-snap-'));
    const file = join(dir, 'snap.json');
    const r = await runCli(['snapshot', '--seed', cluster().seed, '-o', file]);
    expect(r.code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ kind: 'slotpilot-snapshot', version: 1 });
    const snap = readSnapshotFile(file);
    expect(snap.nodes).toHaveLength(6);
    expect(snap.slotKeys!.reduce((a, b) => a + b, 0)).toBe(3000);
  });
});

describe('check refuses what it cannot read', () => {
  let standalone: StandaloneRedis;
  beforeAll(async () => {
    standalone = await startStandalone();
  });
  afterAll(() => standalone.stop());

  it('exit 1 on a closed port', async () => {
    const [port] = await findFreePorts(1);
    const r = await runCli(['check', '--seed', `127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}: connection refused`));
  });

  it('exit 1 on a non-cluster Redis', async () => {
    const r = await runCli(['check', '--seed', standalone.addr]);
    expect(r.code).toBe(1);
    expectOneLineError(r.stderr, /not a cluster node/);
  });

  it.each([
    [['check'], /missing --seed/],
    [['check', '--seed', 'foo'], /HOST:PORT/],
    [['check', '--seed', '127.0.0.1:99999'], /port/],
    [['check', '--seed', '127.0.0.1:6379', '--bogus'], /Unknown argument/i],
    [['nonsense'], /Unknown/i],
  ])('exit 2 with one line for %j', async (args, pattern) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expectOneLineError(r.stderr, pattern);
  });
});

describe('check on a cluster with a password', () => {
  const password = 'S3cret-for-check-test';
  const cluster = useCluster({ masters: 3, keys: 100, password });

  it('exit 0 with the password from the environment, which never appears in the output', async () => {
    const r = await runCli(['check', '--seed', cluster().seed, '--json'], { env: { SLOTPILOT_PASSWORD: password } });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain(password);
  });

  it('exit 1 without a password or with a wrong one, saying so in one line', async () => {
    const none = await runCli(['check', '--seed', cluster().seed]);
    expect(none.code).toBe(1);
    expectOneLineError(none.stderr, /authentication required/);
    const wrong = await runCli(['check', '--seed', cluster().seed, '--password', 'not-the-password']);
    expect(wrong.code).toBe(1);
    expectOneLineError(wrong.stderr, /authentication failed/);
    expect(wrong.stderr).not.toContain('not-the-password');
  });
});
