import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { parseAddr } from '../../src/redis/connection.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { clusterNodesFingerprint, runCli, useCluster, type LocalCluster } from '../helpers/cluster.js';

const KEYS = 3000;
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-add-'));
const file = (name: string): string => join(dir, name);

async function expectHealthy(c: LocalCluster): Promise<void> {
  const check = await runCli(['check', '--seed', c.seed]);
  expect(check.stdout, check.stdout).toMatch(/^OK:/m);
  expect(check.code).toBe(0);
  expect(await verifySampleKeys([c.seed], { count: KEYS })).toEqual([]);
}

const slotsOf = (n: { slots: readonly (readonly [number, number])[] }): number => n.slots.reduce((a, [x, y]) => a + y - x + 1, 0);

describe('add-node on a real cluster', () => {
  const cluster = useCluster({ masters: 3, keys: KEYS, extraConfig: ['repl-diskless-sync-delay 0'] });

  it('refuses a node that already holds keys: exit 2, one line, nothing changed', async () => {
    const lone = await cluster().startLoneNode();
    const c = cluster().client(lone);
    // A lone cluster node serves no slot: own the key's slot just long enough to write it.
    const slot = String(Number(await c.call('CLUSTER', 'KEYSLOT', '{x}already-here')));
    await c.call('CLUSTER', 'ADDSLOTS', slot);
    // cluster_state turns ok a moment after the slot is added.
    await waitFor('the lone node to accept a write in its own slot (cluster_state ok)', () => c.set('{x}already-here', '1'));
    await c.call('CLUSTER', 'DELSLOTS', slot);
    c.disconnect();
    const before = await clusterNodesFingerprint(cluster());
    const r = await runCli(['add-node', '--seed', cluster().seed, '--new', lone.addr, '--yes', '--journal', file('refused.ndjson')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^slotpilot: .*already holds 1 key\(s\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
    expect(existsSync(file('refused.ndjson'))).toBe(false);
  });

  it('refuses a node that belongs to another cluster: exit 2, nothing changed', async () => {
    const [a, b] = [await cluster().startLoneNode(), await cluster().startLoneNode()];
    const [ca, cb] = [cluster().client(a), cluster().client(b)];
    await ca.call('CLUSTER', 'MEET', b.host, String(b.port));
    // Let the two finish their handshake and epoch collision so the fingerprint is taken on a settled pair.
    const settled = (text: string): boolean => {
      const lines = text.trim().split('\n');
      return lines.length === 2 && !/handshake|noaddr/.test(text) && new Set(lines.map((l) => l.split(' ')[6])).size === 2;
    };
    await waitFor('the two lone nodes to finish their handshake and epoch collision', async () =>
      [(await ca.call('CLUSTER', 'NODES')) as string, (await cb.call('CLUSTER', 'NODES')) as string].every(settled),
    );
    ca.disconnect();
    cb.disconnect();
    const before = await clusterNodesFingerprint(cluster());
    const r = await runCli(['add-node', '--seed', cluster().seed, '--new', a.addr, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/belongs to another cluster: it knows 1 node\(s\) this cluster does not/);
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
  });

  it('adds an empty master and rebalances onto it (NDJSON events, journal), keeping every key', async () => {
    const fresh = await cluster().startLoneNode();
    const r = await runCli(['add-node', '--seed', cluster().seed, '--new', fresh.addr, '--rebalance', '--yes', '--json', '--journal', file('add.ndjson')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const steps = events.filter((e) => e.type === 'step').map((e) => `${e.step}:${e.status}`);
    expect(steps).toEqual(expect.arrayContaining(['meet:done', 'join:done', 'rebalance:start', 'rebalance:done']));
    expect(events.find((e) => e.type === 'run-end')).toMatchObject({ summary: { failed: 0 } });
    expect(events.at(-1)).toMatchObject({ type: 'lifecycle-end', ok: true });
    const t = await readTopology(parseAddr(cluster().seed), {}, { keys: false });
    expect(slotsOf(t.nodes.find((n) => n.id === fresh.id)!)).toBe(4096);
    const journal = readFileSync(file('add.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(journal[0]).toMatchObject({ kind: 'slotpilot-lifecycle-journal', version: 1, command: 'add-node' });
    expect(journal.at(-1)).toMatchObject({ type: 'lifecycle-end', ok: true });
    expect(existsSync(journal[0].movesJournal)).toBe(true);
    await expectHealthy(cluster());
  });

  it('re-running add-node for a node already joined just continues', async () => {
    const t = await readTopology(parseAddr(cluster().seed), {}, { keys: false });
    const member = t.nodes.find((n) => slotsOf(n) === 4096)!;
    const r = await runCli(['add-node', '--seed', cluster().seed, '--new', member.addr, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/meet: .* is already a member \(already done\)/);
    expect(r.stdout).toMatch(/^join: every node \(\d+\) knows/m);
  });

  it('adds a replica and shows its initial sync until in sync', async () => {
    const fresh = await cluster().startLoneNode();
    const master = cluster().nodes[0]!;
    const r = await runCli(['add-node', '--seed', cluster().seed, '--new', fresh.addr, '--replica-of', master.addr, '--yes']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^replicate: .* now replicates/m);
    expect(r.stdout).toMatch(/^sync: .* in sync with .* at offset \d+/m);
    const t = await readTopology(parseAddr(cluster().seed), {}, { keys: false });
    expect(t.nodes.find((n) => n.id === fresh.id)).toMatchObject({ role: 'replica', masterId: master.id });
    // The replica holds the master's keys.
    const [cm, cr] = [cluster().client(master), cluster().client(fresh)];
    expect(await cr.dbsize()).toBe(await cm.dbsize());
    cm.disconnect();
    cr.disconnect();
    await expectHealthy(cluster());
  });
});

describe('add-node on a password-protected cluster', () => {
  const SECRET = 'lifecycle-s3cret';
  const cluster = useCluster({ masters: 3, password: SECRET, extraConfig: ['repl-diskless-sync-delay 0'] });

  it('authenticates every step and writes no secret to the output or the journal', async () => {
    const fresh = await cluster().startLoneNode();
    const r = await runCli(['add-node', '--seed', cluster().seed, '--new', fresh.addr, '--replica-of', cluster().nodes[2]!.addr, '--yes', '--json', '--journal', file('secret.ndjson')], { env: { SLOTPILOT_PASSWORD: SECRET } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"phase":"in-sync"');
    expect(r.stdout).not.toContain(SECRET);
    expect(readFileSync(file('secret.ndjson'), 'utf8')).not.toContain(SECRET);
    const wrong = await runCli(['add-node', '--seed', cluster().seed, '--new', fresh.addr, '--yes'], { env: { SLOTPILOT_PASSWORD: 'wrong' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim().split('\n')).toEqual([expect.stringMatching(/authentication failed/)]);
    expect(wrong.stderr).not.toContain(SECRET);
  });
});
