import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { startLoad } from '../../scripts/lib/load-client.js';
import { verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { parseAddr } from '../../src/redis/connection.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { clusterNodesFingerprint, isAlive, runCli, useCluster, type LocalCluster } from '../helpers/cluster.js';

const KEYS = 3000;

async function expectHealthy(c: LocalCluster): Promise<void> {
  const check = await runCli(['check', '--seed', c.seed]);
  expect(check.stdout, check.stdout).toMatch(/^OK:/m);
  expect(check.code).toBe(0);
  expect(await verifySampleKeys([c.seed], { count: KEYS })).toEqual([]);
}

async function topology(c: LocalCluster) {
  return readTopology(parseAddr(c.seed), {}, { keys: false });
}

describe('remove-node on a real cluster with replicas', () => {
  const cluster = useCluster({ masters: 4, replicasPerMaster: 1, keys: KEYS, extraConfig: ['repl-diskless-sync-delay 0'] });

  it('refuses an unknown node: exit 2, one line, nothing changed', async () => {
    const before = await clusterNodesFingerprint(cluster());
    const r = await runCli(['remove-node', '--seed', cluster().seed, '--node', '127.0.0.1:1', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^slotpilot: --node "127\.0\.0\.1:1" is not a node of this cluster/)]);
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
  });

  it('refuses to leave a master without a replica unless told: exit 2, nothing changed', async () => {
    const replica = (await topology(cluster())).nodes.find((n) => n.role === 'replica')!;
    const before = await clusterNodesFingerprint(cluster());
    const r = await runCli(['remove-node', '--seed', cluster().seed, '--node', replica.addr, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/would leave master .* with 0 replica\(s\), below the 1 every master with slots has now; pass --min-replicas 0/);
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
  });

  it('removes a master under live writes: drains it, keeps its replica, forgets it everywhere, shuts it down; no acknowledged write lost', async () => {
    const t = await topology(cluster());
    const victim = cluster().nodes[1]!;
    const itsReplica = t.nodes.find((n) => n.masterId === victim.id)!;
    const load = startLoad(cluster().seed, 4, undefined, 'remove');
    await waitFor('the live writers to have 200 writes acknowledged', () => load.acknowledged >= 200);
    const r = await runCli(['remove-node', '--seed', cluster().seed, '--node', victim.addr, '--shutdown', '--yes']);
    const stats = await load.stop();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^drain: .* owns no slot$/m);
    expect(r.stdout).toMatch(/^forget: \d+ node\(s\) forgot/m);
    expect(r.stdout).toMatch(/^shutdown: .* shut down/m);
    expect(stats.ops).toBeGreaterThan(0);
    const lost = await load.verify();
    load.close();
    console.log(`remove-node under load: ${stats.ops} acknowledged writes, ${stats.errors} errors, ${lost} lost`);
    expect(lost).toBe(0);
    expect(isAlive(victim.pid)).toBe(false);
    const after = await topology(cluster());
    expect(after.nodes.some((n) => n.id === victim.id)).toBe(false);
    // Every remaining node forgot it, and its replica follows a master that serves slots.
    for (const n of after.nodes) {
      const c = cluster().client(n.addr);
      expect((await c.call('CLUSTER', 'NODES')) as string).not.toContain(victim.id);
      c.disconnect();
    }
    const replicaNow = after.nodes.find((n) => n.id === itsReplica.id)!;
    expect(replicaNow.role).toBe('replica');
    expect(after.nodes.find((n) => n.id === replicaNow.masterId)!.slots.length).toBeGreaterThan(0);
    await expectHealthy(cluster());
  });

  it('--with-replicas removes a master and its replica together (JSON events), leaving every other master its replica', async () => {
    const victim = cluster().nodes[2]!;
    // Redis may have migrated a replica to this master after the earlier removals: take them all.
    const replicas = (await topology(cluster())).nodes.filter((n) => n.masterId === victim.id);
    const replica = replicas[0]!;
    const r = await runCli(['remove-node', '--seed', cluster().seed, '--node', victim.id.slice(0, 10), '--with-replicas', '--shutdown', '--yes', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events.find((e) => e.type === 'step' && e.step === 'forget' && e.status === 'done').message).toContain(replica.id.slice(0, 8));
    const steps = events.filter((e) => e.type === 'step').map((e) => `${e.step} ${e.status}: ${e.message}`).join('\n');
    expect(events.filter((e) => e.type === 'step' && e.step === 'shutdown'), steps).toHaveLength(1 + replicas.length);
    expect(events.at(-1)).toMatchObject({ type: 'lifecycle-end', ok: true });
    const after = await topology(cluster());
    expect(after.nodes.some((n) => n.id === victim.id || replicas.some((x) => x.id === n.id))).toBe(false);
    for (const m of after.nodes.filter((n) => n.role === 'master' && n.slots.length)) expect(m.replicas.length).toBeGreaterThanOrEqual(1);
    await expectHealthy(cluster());
  });

  it('re-running after an interruption (already drained, forgotten by the seed only) finishes with forget and reset', async () => {
    const victim = cluster().nodes[3]!;
    const drain = await runCli(['rebalance', '--seed', cluster().seed, '--weight', `${victim.addr}=0`, '--yes']);
    expect(drain.code, drain.stdout + drain.stderr).toBe(0);
    const seed = cluster().client(cluster().seed);
    await seed.call('CLUSTER', 'FORGET', victim.id);
    seed.disconnect();
    const r = await runCli(['remove-node', '--seed', cluster().seed, '--node', victim.addr, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no longer listed by the seed; finishing the removal/);
    expect(r.stdout).toMatch(/^reset: CLUSTER RESET SOFT on /m);
    const v = cluster().client(victim);
    expect(((await v.call('CLUSTER', 'NODES')) as string).trim().split('\n')).toHaveLength(1);
    v.disconnect();
    await expectHealthy(cluster());
  });
});

describe('remove-node refuses the last master', () => {
  const cluster = useCluster({ masters: 1 });

  it('exit 2, one line, nothing changed', async () => {
    const before = await clusterNodesFingerprint(cluster());
    const r = await runCli(['remove-node', '--seed', cluster().seed, '--node', cluster().nodes[0]!.id, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is the last master of this cluster; it cannot be removed/);
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
  });
});
