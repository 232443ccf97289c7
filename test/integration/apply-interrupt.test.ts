import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { parseAddr } from '../../src/redis/connection.js';
import { readTopology } from '../../src/topology/read-topology.js';
import { CLI, runCli, useCluster, type LocalCluster } from '../helpers/cluster.js';

const KEYS = 3000;
const BIG = 2 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-interrupt-'));
const file = (name: string): string => join(dir, name);

async function masters(c: LocalCluster) {
  const t = await readTopology(parseAddr(c.seed), {}, { keys: false });
  return t.nodes.filter((n) => n.role === 'master').sort((a, b) => a.port - b.port);
}

/** The node's largest slot range (earlier tests moved a few slots around). */
const widest = (ranges: readonly (readonly [number, number])[]) => ranges.reduce((x, y) => (y[1] - y[0] > x[1] - x[0] ? y : x));

async function openSlots(c: LocalCluster): Promise<number> {
  return (await readTopology(parseAddr(c.seed), {}, { keys: false })).openSlots.length;
}

async function expectHealthy(c: LocalCluster): Promise<void> {
  const check = await runCli(['check', '--seed', c.seed]);
  expect(check.code, check.stdout + check.stderr).toBe(0);
  expect(await verifySampleKeys([c.seed], { count: KEYS })).toEqual([]);
}

/** Start `apply` with --json and send `signals` once `after` slots are done. */
function applyAndSignal(args: string[], after: number, signals: number): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let sent = false;
    let repeat: NodeJS.Timeout | null = null;
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!sent && (out.match(/"slot-done"/g) ?? []).length >= after) {
        sent = true;
        child.kill('SIGINT');
        // The second: signals do not queue, so one sent before the process handled the first merges
        // with it (a busy CI machine did that to a second sent 10 ms later). Send again every 20 ms
        // until the process says it stops at once; extra ones change nothing.
        if (signals > 1) repeat = setInterval(() => (err.includes('stopping now') ? clearInterval(repeat!) : child.kill('SIGINT')), 20);
      }
    });
    child.on('close', () => repeat && clearInterval(repeat));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('apply interrupted by signals', () => {
  const cluster = useCluster({ masters: 3, keys: KEYS });

  it('a move plan applied: every key with its value and TTL, check clean', async () => {
    const [a, b] = await masters(cluster());
    const plan = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', a!.addr, '--to', b!.addr, '--slots', `${a!.slots[0]![0]}-${a!.slots[0]![0] + 299}`, '-o', file('move.json')]);
    expect(plan.code, plan.stderr).toBe(0);
    const r = await runCli(['apply', file('move.json'), '--seed', cluster().seed, '--yes', '--journal', file('move.ndjson')]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/done: 300\/300 slots moved/);
    await expectHealthy(cluster());
  });

  it('Ctrl-C finishes the slots in flight, leaves no slot open, exits 130; resume finishes the plan', async () => {
    const [, b, c] = await masters(cluster());
    const first = widest(b!.slots)[0];
    const plan = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', b!.addr, '--to', c!.addr, '--slots', `${first}-${first + 999}`, '-o', file('int.json')]);
    expect(plan.code, plan.stderr).toBe(0);
    const r = await applyAndSignal(['apply', file('int.json'), '--seed', cluster().seed, '--yes', '--json', '--batch', '1', '--concurrency', '8', '--journal', file('int.ndjson')], 20, 1);
    expect(r.code, r.err).toBe(130);
    expect(r.err).toMatch(/interrupted: \d+\/1000 slots moved; finish with: slotpilot resume --journal/);
    const end = JSON.parse(r.out.trim().split('\n').at(-1)!);
    expect(end).toMatchObject({ type: 'run-end', summary: { stoppedBy: 'signal', failed: 0 } });
    expect(end.summary.notStarted).toBeGreaterThan(0);
    expect(await openSlots(cluster())).toBe(0);
    const resumed = await runCli(['resume', '--journal', file('int.ndjson'), '--yes']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    await expectHealthy(cluster());
  });

  it('a second Ctrl-C stops at once (exit 130, slots may stay open); resume brings the cluster back to clean', async () => {
    const [a, , c] = await masters(cluster());
    const first = widest(c!.slots)[1] - 999;
    // Big values in the first moved slots (those in flight at the first Ctrl-C) keep the graceful
    // stop busy long enough for the second Ctrl-C.
    // Two 2 MB values in each of the first 50 slots.
    const perSlot = new Map<number, string[]>();
    for (let i = 0; i < 200_000; i++) {
      const slot = calculateSlot(`big:${i}`);
      if (slot >= first && slot < first + 50 && (perSlot.get(slot)?.length ?? 0) < 2) perSlot.set(slot, [...(perSlot.get(slot) ?? []), `big:${i}`]);
    }
    const big = [...perSlot.values()].flat();
    const cc = cluster().client(c!.addr);
    for (const k of big) await cc.set(k, 'x'.repeat(BIG));
    cc.disconnect();
    const plan = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', c!.addr, '--to', a!.addr, '--slots', `${first}-${first + 999}`, '-o', file('int2.json')]);
    expect(plan.code, plan.stderr).toBe(0);
    const r = await applyAndSignal(['apply', file('int2.json'), '--seed', cluster().seed, '--yes', '--json', '--batch', '1', '--concurrency', '8', '--journal', file('int2.ndjson')], 20, 2);
    expect(r.code, r.err).toBe(130);
    expect(r.err).toMatch(/stopping now; finish with: slotpilot resume --journal/);
    const resumed = await runCli(['resume', '--journal', file('int2.ndjson'), '--yes']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    expect(await openSlots(cluster())).toBe(0);
    await expectHealthy(cluster());
    const ac = cluster().client(a!.addr);
    for (const k of big) expect(await ac.pipeline().call('ASKING').strlen(k).exec().then((r) => r?.[1]?.[1])).toBe(BIG);
    ac.disconnect();
  });
});
