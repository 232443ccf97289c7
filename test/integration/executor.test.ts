import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { sampleKey, verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { parseAddr } from '../../src/redis/connection.js';
import { quoteKey } from '../../src/redis/key-name.js';
import { CLI, clusterNodesFingerprint, runCli, useCluster, type LocalCluster } from '../helpers/cluster.js';

const KEYS = 4000;
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-exec-'));
const file = (name: string): string => join(dir, name);

async function expectHealthy(c: LocalCluster): Promise<void> {
  const check = await runCli(['check', '--seed', c.seed]);
  expect(check.stdout).toMatch(/^OK:/m);
  expect(check.code).toBe(0);
  expect(await verifySampleKeys([c.seed], { count: KEYS })).toEqual([]);
}

async function masters(c: LocalCluster) {
  const t = await readTopology(parseAddr(c.seed), {}, { keys: false });
  return { t, masters: t.nodes.filter((n) => n.role === 'master').sort((a, b) => a.port - b.port) };
}

describe('apply, rebalance, resume, fix on a real cluster', () => {
  const cluster = useCluster({ masters: 3, keys: KEYS, empty: 1 });

  it('refuses to change the cluster without --yes when there is no terminal', async () => {
    const before = await clusterNodesFingerprint(cluster());
    const r = await runCli(['rebalance', '--seed', cluster().seed, '--use-empty-masters']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refusing to change the cluster without --yes/);
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
  });

  it('rebalance onto the empty master keeps every key, value and TTL', async () => {
    const r = await runCli(['rebalance', '--seed', cluster().seed, '--use-empty-masters', '--yes', '--journal', file('rebalance.ndjson')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/done: 4096\/4096 slots moved/);
    const { masters: ms } = await masters(cluster());
    expect(ms.map((m) => m.slots.reduce((a, [x, y]) => a + y - x + 1, 0))).toEqual([4096, 4096, 4096, 4096]);
    await expectHealthy(cluster());
  });

  it('refuses a stale plan and changes nothing', async () => {
    const r0 = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'drain', '--node', cluster().nodes[0]!.addr, '-o', file('drain.json')]);
    expect(r0.code).toBe(0);
    const plan = JSON.parse(readFileSync(file('drain.json'), 'utf8'));
    const undo = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', cluster().nodes[0]!.addr, '--to', cluster().nodes[1]!.addr, '--slots', String(plan.moves[0].slot), '-o', file('one.json')]);
    expect(undo.code).toBe(0);
    expect((await runCli(['apply', file('one.json'), '--seed', cluster().seed, '--yes'])).code).toBe(0);
    const before = await clusterNodesFingerprint(cluster());
    const stale = await runCli(['apply', file('drain.json'), '--seed', cluster().seed, '--yes']);
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/plan is stale: slot \d+ is owned by/);
    expect(await clusterNodesFingerprint(cluster())).toEqual(before);
  });

  it('drain with --json emits NDJSON events, then check is clean', async () => {
    const r = await runCli(['apply', file('drain.json'), '--seed', cluster().seed, '--yes', '--json']).catch((e) => e);
    // The drain plan is stale (one slot moved above): plan it again and apply.
    expect(r.code).toBe(2);
    expect((await runCli(['plan', '--seed', cluster().seed, '--strategy', 'drain', '--node', cluster().nodes[0]!.addr, '-o', file('drain2.json')])).code).toBe(0);
    const ok = await runCli(['apply', file('drain2.json'), '--seed', cluster().seed, '--yes', '--json', '--journal', file('drain.ndjson')]);
    expect(ok.code).toBe(0);
    const events = ok.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0].type).toBe('preflight');
    expect(events.at(-1)).toMatchObject({ type: 'run-end', summary: { failed: 0, stoppedBy: null } });
    expect(events.filter((e) => e.type === 'slot-done')).toHaveLength(4095);
    await expectHealthy(cluster());
  });

  it('BUSYKEY fails the slot naming the key; resume --replace finishes it', async () => {
    const { masters: ms } = await masters(cluster());
    const [a, b] = ms.filter((m) => m.slots.length);
    // A key of a slot owned by `a`, planted on `b` as if left there by an earlier interrupted move.
    const key = Array.from({ length: KEYS }, (_, i) => sampleKey(i)).find((k) => a!.slots.some(([x, y]) => calculateSlot(k.key) >= x && calculateSlot(k.key) <= y))!;
    const slot = calculateSlot(key.key);
    const bc = cluster().client(b!.addr);
    await bc.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', a!.id);
    await bc.pipeline().call('ASKING').set(key.key, 'stale copy').exec();
    await bc.call('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    const plan = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', a!.addr, '--to', b!.addr, '--slots', String(slot), '-o', file('busy.json')]);
    expect(plan.code).toBe(0);
    const r = await runCli(['apply', file('busy.json'), '--seed', cluster().seed, '--yes', '--journal', file('busy.ndjson')]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`key "${key.key}" already exists on the target`);
    expect(r.stderr).toMatch(/1 slot\(s\) failed.*slotpilot resume --journal/);
    const resumed = await runCli(['resume', '--journal', file('busy.ndjson'), '--yes', '--replace']);
    expect(resumed.code).toBe(0);
    bc.disconnect();
    await expectHealthy(cluster());
  });

  it('key names that are not UTF-8 move with their bytes; a conflict names one escaped, resume --replace finishes', async () => {
    const { masters: ms } = await masters(cluster());
    const [a, b] = ms.filter((m) => m.slots.length);
    const owns = (slot: number): boolean => a!.slots.some(([x, y]) => slot >= x && slot <= y);
    // A hash tag of bytes that are not UTF-8 (as text they would read U+FFFD and hash elsewhere).
    let n = 0;
    while (!owns(calculateSlot(Buffer.from([0x7b, 0xff, 0xfe, n, 0x7d])))) n++;
    const names = Array.from({ length: 120 }, (_, i) => Buffer.concat([Buffer.from([0x7b, 0xff, 0xfe, n, 0x7d]), Buffer.from([0x80, i])]));
    const slot = calculateSlot(names[0]!);
    const ac = cluster().client(a!.addr);
    const bc = cluster().client(b!.addr);
    await Promise.all(names.map((k, i) => ac.set(k, `v${i}`)));
    // One of them already on the target with another value, as an earlier interrupted move may leave it.
    await bc.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', a!.id);
    await bc.pipeline().call('ASKING').set(names[7]!, 'other').exec();
    await bc.call('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    const plan = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', a!.addr, '--to', b!.addr, '--slots', String(slot), '-o', file('binary.json')]);
    expect(plan.code).toBe(0);
    const r = await runCli(['apply', file('binary.json'), '--seed', cluster().seed, '--yes', '--journal', file('binary.ndjson')]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`key ${quoteKey(names[7]!)} already exists on the target`);
    expect(quoteKey(names[7]!)).toBe('"{\\\\xff\\\\xfe\\\\x' + n.toString(16).padStart(2, '0') + '}\\\\x80\\\\x07"');
    const resumed = await runCli(['resume', '--journal', file('binary.ndjson'), '--yes', '--replace']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(Number(await ac.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot)))).toBe(0);
    expect(await Promise.all(names.map((k) => bc.get(k)))).toEqual(names.map((_, i) => `v${i}`));
    await bc.del(...names);
    ac.disconnect();
    bc.disconnect();
    await expectHealthy(cluster());
  });

  it("a copy on the target with the source's value, as a lost MIGRATE reply leaves it, is overwritten and reported", async () => {
    const { masters: ms } = await masters(cluster());
    const [a, b] = ms.filter((m) => m.slots.length);
    // A set big enough for a hash table: restored on another node it DUMPs in another order, so only
    // the canonical digest can tell the copies are the same.
    let n = 0;
    while (!a!.slots.some(([x, y]) => calculateSlot(`same:${n}`) >= x && calculateSlot(`same:${n}`) <= y)) n++;
    const key = `same:${n}`;
    const slot = calculateSlot(key);
    const ac = cluster().client(a!.addr);
    const bc = cluster().client(b!.addr);
    await ac.sadd(key, ...Array.from({ length: 300 }, (_, i) => `m${i}`));
    const dump = (await ac.callBuffer('DUMP', key)) as Buffer;
    await bc.call('CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', a!.id);
    await bc.pipeline().call('ASKING').call('RESTORE', key, '0', dump).exec();
    await bc.call('CLUSTER', 'SETSLOT', String(slot), 'STABLE');
    const plan = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', a!.addr, '--to', b!.addr, '--slots', String(slot), '-o', file('same.json')]);
    expect(plan.code).toBe(0);
    const r = await runCli(['apply', file('same.json'), '--seed', cluster().seed, '--yes']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`slot ${slot}: key "${key}" already on ${b!.addr} with the source's value`);
    expect(Number(await ac.call('CLUSTER', 'COUNTKEYSINSLOT', String(slot)))).toBe(0);
    expect(await bc.scard(key)).toBe(300);
    await bc.del(key);
    ac.disconnect();
    bc.disconnect();
    await expectHealthy(cluster());
  });

  it('fix closes slots left open by hand, finishing the move', async () => {
    const { masters: ms } = await masters(cluster());
    const [a, b] = ms.filter((m) => m.slots.length);
    const ac = cluster().client(a!.addr);
    const bc = cluster().client(b!.addr);
    const slots: number[] = [];
    for (const [x, y] of a!.slots) for (let s = x; s <= y && slots.length < 3; s++) if (Number(await ac.call('CLUSTER', 'COUNTKEYSINSLOT', String(s))) > 0) slots.push(s);
    for (const s of slots) {
      await bc.call('CLUSTER', 'SETSLOT', String(s), 'IMPORTING', a!.id);
      await ac.call('CLUSTER', 'SETSLOT', String(s), 'MIGRATING', b!.id);
    }
    // Move one key of the first slot by hand, like an interrupted redis-cli reshard.
    const [k] = (await ac.call('CLUSTER', 'GETKEYSINSLOT', String(slots[0]), '1')) as string[];
    await ac.call('MIGRATE', b!.host, String(b!.port), '', '0', '5000', 'KEYS', k!);
    ac.disconnect();
    bc.disconnect();
    expect((await runCli(['check', '--seed', cluster().seed])).code).toBe(3);
    const r = await runCli(['fix', '--seed', cluster().seed, '--yes', '--journal', file('fix.ndjson')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/fixed 3 open slot\(s\)/);
    await expectHealthy(cluster());
  });

  it('a run killed mid-way (SIGKILL) is finished by resume', async () => {
    const { masters: ms } = await masters(cluster());
    const heavy = ms.find((m) => m.slots.length)!;
    const plan = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'rebalance', '--by', 'keys', '--threshold', '0', '--weight', `${heavy.addr}=3`, '-o', file('kill.json')]);
    expect(plan.code, plan.stdout + plan.stderr).toBe(0);
    const child = spawn(process.execPath, [CLI, 'apply', file('kill.json'), '--seed', cluster().seed, '--yes', '--json', '--batch', '1', '--concurrency', '4', '--journal', file('kill.ndjson')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if ((out.match(/"slot-progress"/g) ?? []).length >= 5) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.on('close', () => resolve());
    });
    await new Promise((r) => child.once('close', r).once('exit', r));
    expect(out).toMatch(/"slot-progress"/);
    expect(out).not.toMatch(/"run-end"/);
    const r = await runCli(['resume', '--journal', file('kill.ndjson'), '--yes']);
    expect(r.stderr, r.stdout).toBe('');
    expect(r.code).toBe(0);
    await expectHealthy(cluster());
  });
});
