import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAddr } from '../../src/redis/connection.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { clusterNodesFingerprint, runCli, useCluster, type LocalCluster } from '../helpers/cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'slotpilot-fix-'));
const file = (name: string): string => join(dir, name);

async function masters(c: LocalCluster) {
  const t = await readTopology(parseAddr(c.seed), {}, { keys: false });
  return t.nodes.filter((n) => n.role === 'master').sort((a, b) => a.port - b.port);
}

describe('fix and pre-flight refusals', () => {
  const cluster = useCluster({ masters: 3, keys: 1000 });

  it('fix on a clean cluster does nothing', async () => {
    const r = await runCli(['fix', '--seed', cluster().seed, '--yes']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no open slot; nothing to fix/);
  });

  it('apply refuses while a slot outside the plan is open, pointing to fix; fix without --yes refuses too', async () => {
    const [a, b, c] = await masters(cluster());
    const slot = a!.slots[0]![0];
    const bc = cluster().client(b!.addr);
    await bc.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', a!.id);
    bc.disconnect();
    const plan = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', c!.addr, '--to', b!.addr, '--count', '2', '-o', file('other.json')]);
    expect(plan.code, plan.stderr).toBe(0);
    const before = await clusterNodesFingerprint(cluster());
    const r = await runCli(['apply', file('other.json'), '--seed', cluster().seed, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^slotpilot: slot\\(s\\) ${slot} are open outside this plan; run slotpilot fix --seed`));
    const noYes = await runCli(['fix', '--seed', cluster().seed]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toMatch(/refusing to change the cluster without --yes/);
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
    // Importing on B with nothing moved yet: fix closes it, as redis-cli --cluster fix would.
    const fixed = await runCli(['fix', '--seed', cluster().seed, '--yes']);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toMatch(new RegExp(`slot ${slot}: importing, nothing moved yet: close on ${b!.addr}`));
    expect((await runCli(['check', '--seed', cluster().seed])).code).toBe(0);
  });

  it('fix refuses a slot it cannot decide safely and changes nothing', async () => {
    const [a, b, c] = await masters(cluster());
    const slot = a!.slots[0]![0];
    const ac = cluster().client(a!.addr);
    const cc = cluster().client(c!.addr);
    // A migrates to B, but C says it imports it: contradictory markers.
    await ac.call('CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', b!.id);
    await cc.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', a!.id);
    const before = await clusterNodesFingerprint(cluster());
    const r = await runCli(['fix', '--seed', cluster().seed, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^slotpilot: slot ${slot} migrates .* but is imported elsewhere; nothing was changed`));
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
    await ac.call('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    await cc.call('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    ac.disconnect();
    cc.disconnect();
  });

  it('resume refuses a file that is not a journal, in one line', async () => {
    writeFileSync(file('not.ndjson'), '{"kind":"slotpilot-plan"}\n');
    const r = await runCli(['resume', '--journal', file('not.ndjson'), '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^slotpilot: .* is not a slotpilot journal$/);
    const missing = await runCli(['resume', '--yes']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing --journal FILE/);
  });
});
