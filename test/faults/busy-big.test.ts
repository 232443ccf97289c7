/**
 * Scenario 4: a key that already exists on the target (BUSYKEY), and a big key — a 2,000,000-member
 * sorted set — in a moving slot, under live traffic. Neither is overwritten or lost silently: the
 * slot fails naming the key, and `resume --replace` (an explicit opt-in) finishes it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { sampleKey } from '../../scripts/lib/sample-keys.js';
import { runCli, useCluster } from '../helpers/cluster.js';
import { between, mastersOf, rng, runCliEvents, scenarioSeed, startTraffic, verifyScenario, type Traffic } from './fault-kit.js';

const KEYS = 10_000;
const BIG_MEMBERS = 2_000_000;
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-fault-busy-'));
const file = (name: string): string => join(dir, name);

describe('scenario 4: BUSYKEY and a big key', () => {
  const cluster = useCluster({ masters: 3, keys: KEYS });
  let traffic: Traffic;
  let seed = 0;
  let faults = 0;

  it('BUSYKEY: the slot fails naming the key, resume without --replace still refuses, resume --replace finishes', async () => {
    seed = scenarioSeed('busykey');
    const rand = rng(seed);
    traffic = startTraffic(cluster().seed, KEYS);
    const [a, b] = await mastersOf(cluster());
    const owned = (slot: number): boolean => a!.slots.some(([x, y]) => slot >= x && slot <= y);
    const candidates = Array.from({ length: KEYS }, (_, i) => sampleKey(i)).filter((k) => owned(calculateSlot(k.key)));
    const key = candidates[between(rand, 0, candidates.length - 1)]!;
    const slot = calculateSlot(key.key);
    // A stale copy on the target, as an earlier interrupted move by another tool would leave it.
    const bc = cluster().client(b!.addr);
    await bc.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', a!.id);
    await bc.pipeline().call('ASKING').set(key.key, 'stale copy').exec();
    await bc.call('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    bc.disconnect();
    faults++;
    const lo = Math.max(slot - 20, a!.slots.find(([x, y]) => slot >= x && slot <= y)![0]);
    const planned = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', a!.addr, '--to', b!.addr, '--slots', `${lo}-${slot}`, '-o', file('busy.json')]);
    expect(planned.code, planned.stderr).toBe(0);
    const r = await runCliEvents(['apply', file('busy.json'), '--seed', cluster().seed, '--yes', '--json', '--journal', file('busy.ndjson')], () => {});
    expect(r.code, r.err).toBe(1);
    const failed = r.events.filter((e) => e.type === 'slot-failed');
    expect(failed).toEqual([expect.objectContaining({ slot, code: 'BUSYKEY', reason: expect.stringContaining(`key "${key.key}" already exists on the target`) })]);
    expect(r.err).toMatch(/1 slot\(s\) failed.*slotpilot resume --journal/);
    const again = await runCli(['resume', '--journal', file('busy.ndjson'), '--yes']);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`key "${key.key}" already exists on the target`);
    const replaced = await runCli(['resume', '--journal', file('busy.ndjson'), '--yes', '--replace']);
    expect(replaced.code, replaced.stdout + replaced.stderr).toBe(0);
  });

  it('a 2,000,000-member sorted set: a too-short MIGRATE timeout fails the slot naming the key and its size; resume moves it whole', async () => {
    const [a, b, c] = await mastersOf(cluster());
    const big = '{bigz}:members';
    const slot = calculateSlot(big);
    const owner = [a, b, c].find((m) => m!.slots.some(([x, y]) => slot >= x && slot <= y))!;
    const target = [a, b, c].find((m) => m !== owner)!;
    const oc = cluster().client(owner.addr);
    for (let i = 0; i < BIG_MEMBERS; i += 100_000) {
      const p = oc.pipeline();
      for (let j = i; j < i + 100_000; j += 5000) p.zadd(big, ...Array.from({ length: 5000 }, (_, n) => [j + n, `m${j + n}`]).flat());
      await p.exec();
    }
    expect(await oc.zcard(big)).toBe(BIG_MEMBERS);
    oc.disconnect();
    const range = owner.slots.find(([x, y]) => slot >= x && slot <= y)!;
    const lo = Math.max(range[0], slot - 5);
    const hi = Math.min(range[1], slot + 5);
    const planned = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', owner.addr, '--to', target.addr, '--slots', `${lo}-${hi}`, '-o', file('big.json')]);
    expect(planned.code, planned.stderr).toBe(0);
    faults++;
    const r = await runCliEvents(['apply', file('big.json'), '--seed', cluster().seed, '--yes', '--json', '--migrate-timeout', '20', '--journal', file('big.ndjson')], () => {});
    process.stdout.write(`[faults] big key with a 20 ms MIGRATE timeout: exit ${r.code}; ${r.events.filter((e) => e.type === 'slot-failed').map((e) => e.reason).join('; ')}\n`);
    expect(r.code, r.err).toBe(1);
    // So short a timeout may fail small keys of the other slots too; each failure names its key.
    const failed = r.events.filter((e) => e.type === 'slot-failed');
    for (const f of failed) expect(String(f.reason)).toMatch(/^key ".+" /);
    const bigFailure = failed.find((e) => e.slot === slot);
    // Either the retry timed out too (named with its size), or the first, timed-out MIGRATE did reach
    // the target and the retry found the copy there: both name the key and never overwrite it.
    expect(String(bigFailure?.reason)).toMatch(/key "\{bigz\}:members" \(\d+ bytes\) did not move within|key "\{bigz\}:members" already exists on the target/);
    const resumed = await runCli(['resume', '--journal', file('big.ndjson'), '--yes', '--replace', '--migrate-timeout', '60000']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const tc = cluster().client(target.addr);
    expect(await tc.zcard(big)).toBe(BIG_MEMBERS);
    expect(await tc.zscore(big, 'm1999999')).toBe('1999999');
    await tc.del(big);
    tc.disconnect();
  });

  it('nothing lost', async () => {
    await verifyScenario(cluster(), traffic, { scenario: 'BUSYKEY + 2M-member sorted set', seed, iterations: 2, faults }, KEYS);
  });
});
