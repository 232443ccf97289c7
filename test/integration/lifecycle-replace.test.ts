import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { startLoad } from '../../scripts/lib/load-client.js';
import { verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { parseAddr } from '../../src/redis/connection.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { CLI, clusterNodesFingerprint, runCli, useCluster, type LocalCluster } from '../helpers/cluster.js';

const KEYS = 3000;

async function expectHealthy(c: LocalCluster, seed = c.seed): Promise<void> {
  const check = await runCli(['check', '--seed', seed]);
  expect(check.stdout, check.stdout).toMatch(/^OK:/m);
  expect(check.code).toBe(0);
  expect(await verifySampleKeys([seed], { count: KEYS })).toEqual([]);
}

async function topology(c: LocalCluster) {
  return readTopology(parseAddr(c.seed), {}, { keys: false });
}

describe('replace-node on a real cluster', () => {
  const cluster = useCluster({ masters: 3, replicasPerMaster: 1, keys: KEYS, nodeTimeoutMs: 2000, extraConfig: ['repl-diskless-sync-delay 0'] });

  it('refuses to replace a replica: exit 2, one line, nothing changed', async () => {
    const replica = (await topology(cluster())).nodes.find((n) => n.role === 'replica')!;
    const fresh = await cluster().startLoneNode();
    const before = await clusterNodesFingerprint(cluster());
    const r = await runCli(['replace-node', '--seed', cluster().seed, '--old', replica.addr, '--new', fresh.addr, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^slotpilot: .* is a replica; replace-node moves a master/)]);
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
  });

  it('replaces a master under live writes: sync with progress, graceful failover, old node removed; no acknowledged write lost', async () => {
    const old = cluster().nodes[1]!;
    const fresh = cluster().nodes.at(-1)!; // the lone node of the previous test, untouched
    const t0 = await topology(cluster());
    const oldSlots = t0.nodes.find((n) => n.id === old.id)!.slots;
    const oldReplica = t0.nodes.find((n) => n.masterId === old.id)!;
    const load = startLoad(cluster().seed, 4, undefined, 'replace');
    await waitFor('the live writers to have 200 writes acknowledged', () => load.acknowledged >= 200);
    const r = await runCli(['replace-node', '--seed', cluster().seed, '--old', old.addr, '--new', fresh.addr, '--yes']);
    const stats = await load.stop();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^sync: .* in sync with .* at offset \d+/m);
    expect(r.stdout).toMatch(/^failover: .* is the master of .*; every node agrees/m);
    expect(r.stdout).toMatch(/^reset: CLUSTER RESET SOFT on /m);
    const lost = await load.verify();
    load.close();
    console.log(`replace-node under load: ${stats.ops} acknowledged writes, ${stats.errors} errors, ${lost} lost`);
    expect(stats.ops).toBeGreaterThan(0);
    expect(lost).toBe(0);
    const t = await topology(cluster());
    expect(t.nodes.some((n) => n.id === old.id)).toBe(false);
    expect(t.nodes.find((n) => n.id === fresh.id)).toMatchObject({ role: 'master', slots: oldSlots });
    expect(t.nodes.find((n) => n.id === oldReplica.id)).toMatchObject({ role: 'replica', masterId: fresh.id });
    await expectHealthy(cluster());
  });

  it('re-running a finished replace-node says so and changes nothing', async () => {
    const old = cluster().nodes[1]!;
    const fresh = cluster().nodes.at(-1)!;
    const before = await clusterNodesFingerprint(cluster());
    const r = await runCli(['replace-node', '--seed', cluster().seed, '--old', old.addr, '--new', fresh.addr, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/already replaced/);
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
  });

  it('stops safely when the sync does not complete in time (old master keeps serving), and a re-run finishes', async () => {
    const old = cluster().nodes[2]!;
    const fresh = await cluster().startLoneNode();
    // The master waits 10 s before streaming the snapshot: longer than the 2 s we allow.
    const m = cluster().client(old);
    await m.call('CONFIG', 'SET', 'repl-diskless-sync', 'yes');
    await m.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '10');
    const r = await runCli(['replace-node', '--seed', cluster().seed, '--old', old.addr, '--new', fresh.addr, '--sync-timeout', '2', '--yes']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/did not finish syncing from .* within 2 s .*is still the master/)]);
    const mid = await topology(cluster());
    expect(mid.nodes.find((n) => n.id === old.id)).toMatchObject({ role: 'master' });
    expect(mid.nodes.find((n) => n.id === fresh.id)).toMatchObject({ role: 'replica', masterId: old.id });
    await m.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
    m.disconnect();
    const again = await runCli(['replace-node', '--seed', cluster().seed, '--old', old.addr, '--new', fresh.addr, '--yes']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^replicate: .* is already a replica of .* \(already done\)/m);
    const t = await topology(cluster());
    expect(t.nodes.some((n) => n.id === old.id)).toBe(false);
    expect(t.nodes.find((n) => n.id === fresh.id)).toMatchObject({ role: 'master' });
    await expectHealthy(cluster());
  });

  it('Ctrl-C while the seed master is being replaced stops at once (exit 130, journal says so); a re-run finishes', async () => {
    const old = cluster().nodes[0]!;
    const fresh = await cluster().startLoneNode();
    const journal = join(mkdtempSync(join(tmpdir(), 'slotpilot-replace-')), 'replace.ndjson');
    const m = cluster().client(old);
    await m.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '10');
    const child = spawn(process.execPath, [CLI, 'replace-node', '--seed', old.addr, '--old', old.addr, '--new', fresh.addr, '--yes', '--journal', journal], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number | null>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (/^sync: /m.test(out)) child.kill('SIGINT');
      });
      child.on('close', (c) => resolve(c));
    });
    expect(code, out + err).toBe(130);
    expect(err).toMatch(/^slotpilot: interrupted; the cluster is consistent, re-run the same replace-node command to continue\n$/);
    const lines = readFileSync(journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: 'lifecycle-end', ok: false });
    await m.call('CONFIG', 'SET', 'repl-diskless-sync-delay', '0');
    m.disconnect();
    const again = await runCli(['replace-node', '--seed', old.addr, '--old', old.addr, '--new', fresh.addr, '--yes']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    await expectHealthy(cluster(), fresh.addr);
    const t = await readTopology(parseAddr(fresh.addr), {}, { keys: false });
    expect(t.nodes.some((n) => n.id === old.id)).toBe(false);
  });
});
