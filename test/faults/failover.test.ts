/**
 * Scenario 3: the cluster changes under a run. A target is SIGKILLed and restarted from its config
 * (nodes.conf + AOF) mid-run; a source fails over to its replica (CLUSTER FAILOVER) mid-run. The run
 * must stop cleanly with the affected slots failed and their reason, and `resume` (re-planning moves
 * whose source is now a replica of the slot's owner) or `fix` must finish against the new owner.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { isAlive, runCli, useCluster } from '../helpers/cluster.js';
import { between, checkCluster, longestRange, mastersOf, readCluster, rng, runCliEvents, scenarioSeed, startTraffic, type Traffic, verifyScenario } from './fault-kit.js';

const KEYS = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-fault-failover-'));
const file = (name: string): string => join(dir, name);

describe('scenario 3: target restarted, source failed over, mid-run', () => {
  // AOF so a restarted node keeps what it had; a short node timeout so the failover is quick.
  const cluster = useCluster({ masters: 3, replicasPerMaster: 1, keys: KEYS, nodeTimeoutMs: 2000, extraConfig: ['appendonly yes'] });
  let traffic: Traffic;
  let seed = 0;
  let rand: () => number = Math.random;
  let faults = 0;

  it('target killed and restarted from its config: the run stops cleanly, resume finishes', async () => {
    seed = scenarioSeed('failover');
    rand = rng(seed);
    traffic = startTraffic(cluster().seed, KEYS);
    const [a, b] = await mastersOf(cluster());
    const first = a!.slots[0]![0] + between(rand, 0, 100);
    const planned = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', a!.addr, '--to', b!.addr, '--slots', `${first}-${first + 499}`, '-o', file('restart.json')]);
    expect(planned.code, planned.stderr).toBe(0);
    const target = cluster().nodes.find((n) => n.addr === b!.addr)!;
    const after = between(rand, 5, 60);
    let killed = false;
    const r = await runCliEvents(['apply', file('restart.json'), '--seed', cluster().seed, '--yes', '--json', '--batch', '1', '--concurrency', '16', '--migrate-timeout', '500', '--journal', file('restart.ndjson')], (event, _child, n) => {
      if (!killed && event.type === 'slot-progress' && n >= after) {
        killed = true;
        process.kill(target.pid, 'SIGKILL');
        faults++;
      }
    });
    await waitFor('the killed target to be gone', () => !isAlive(target.pid), { everyMs: 20 });
    await cluster().restartNode(target);
    const failed = r.events.filter((e) => e.type === 'slot-failed');
    process.stdout.write(`[faults] target ${target.port} killed after event #${after} and restarted: exit ${r.code}; ${failed.length} failed: ${[...new Set(failed.map((e) => e.reason))].slice(0, 2).join(' | ')}\n`);
    expect(killed).toBe(true);
    if (r.code !== 0) {
      expect(r.code, r.err).toBe(1);
      expect(failed.length).toBeGreaterThan(0);
      expect(r.err).toMatch(/slot\(s\) failed.*slotpilot resume --journal/);
    }
    const resumed = await runCli(['resume', '--journal', file('restart.ndjson'), '--yes']);
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    const t = await readCluster(cluster());
    expect(t.nodes.find((n) => n.addr === b!.addr)?.role).toBe('master');
  });

  it('source fails over to its replica: the run stops cleanly, resume moves the rest from the new master', async () => {
    const [a, , c] = await mastersOf(cluster());
    const source = c!;
    const range = longestRange(source);
    const first = range[0] + between(rand, 0, 100);
    const planned = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', source.addr, '--to', a!.addr, '--slots', `${first}-${first + 799}`, '-o', file('failover.json')]);
    expect(planned.code, planned.stderr).toBe(0);
    const t = await readCluster(cluster());
    const replica = t.nodes.find((n) => n.role === 'replica' && n.masterId === source.id)!;
    const after = between(rand, 5, 80);
    let failedOver: Promise<unknown> | null = null;
    const r = await runCliEvents(['apply', file('failover.json'), '--seed', cluster().seed, '--yes', '--json', '--batch', '1', '--concurrency', '16', '--journal', file('failover.ndjson')], (event, _child, n) => {
      if (!failedOver && event.type === 'slot-progress' && n >= after) {
        const rc = cluster().client(replica.addr);
        failedOver = rc.call('CLUSTER', 'FAILOVER').finally(() => rc.disconnect());
        faults++;
      }
    });
    expect(failedOver).not.toBeNull();
    await failedOver;
    // A manual failover is a request the replica drops after 5 s when the master's pause and offset
    // exchange does not complete (CI on 2 busy cores once saw that); ask again, FORCE the last time.
    const swapped = async (): Promise<boolean> => {
      const now = await readCluster(cluster());
      return now.nodes.find((n) => n.id === replica.id)?.role === 'master' && now.nodes.find((n) => n.id === source.id)?.role === 'replica';
    };
    for (let attempt = 1; ; attempt++) {
      try {
        await waitFor(`the replica to be the master and the old source its replica in the seed's view (request ${attempt})`, swapped, { timeoutMs: 8000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
      const force = attempt === 2 ? ['FORCE'] : [];
      process.stdout.write(`[faults] the manual failover did not complete within 8 s; asking again${force.length ? ' with FORCE' : ''}\n`);
      const rc = cluster().client(replica.addr);
      await rc.call('CLUSTER', 'FAILOVER', ...force).finally(() => rc.disconnect());
    }
    const failed = r.events.filter((e) => e.type === 'slot-failed');
    process.stdout.write(`[faults] source ${source.port} failed over to ${replica.port} after event #${after}: exit ${r.code}; ${failed.length} failed: ${[...new Set(failed.map((e) => e.reason))].slice(0, 3).join(' | ')}\n`);
    if (r.code !== 0) {
      expect(r.code, r.err).toBe(1);
      expect(failed.length).toBeGreaterThan(0);
    }
    for (const f of failed) expect(String(f.reason)).toMatch(/no longer the slot.s master|no longer migrates this slot|Connection is closed|no reply/);
    // fix first: it closes the slots left open, finishing them from the new master; then resume
    // moves the plan's other slots, re-planned from the new master too.
    const fix = await runCli(['fix', '--seed', cluster().seed, '--yes']);
    process.stdout.write(`[faults] fix after failover: exit ${fix.code}: ${fix.stdout.trim().split('\n').filter((l) => /failed over|fixed/.test(l)).slice(-2).join(' / ')} ${fix.stderr.trim()}\n`);
    expect(fix.code, fix.stdout.split('\n').filter((l) => /failed \(/.test(l)).slice(0, 3).join('\n') + fix.stderr).toBe(0);
    expect((await checkCluster(cluster())).openSlots).toBe(0);
    const resumed = await runCli(['resume', '--journal', file('failover.ndjson'), '--yes']);
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    const now = await readCluster(cluster());
    const owners = new Set(JSON.parse(readFileSync(file('failover.json'), 'utf8')).moves.map((m: { slot: number }) => now.slotOwners[m.slot]));
    expect([...owners]).toEqual([a!.id]);
  });

  it('nothing lost', async () => {
    await verifyScenario(cluster(), traffic, { scenario: 'target restarted / source failed over mid-run', seed, iterations: 2, faults, note: 'fix + resume after the failover; reads of keys already moved see them missing until the move is finished (Redis does not replicate MIGRATING)' }, KEYS, true);
  });
});
