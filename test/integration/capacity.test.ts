/**
 * Capacity on real clusters: a target too small for what the plan brings is refused before anything
 * moves (whatever its maxmemory-policy), --ignore-capacity reports the keys an evicting target lost
 * and exits 1, a target filling up during the run stops it cleanly, a drain onto masters without
 * room is refused, and plan --by memory shares by maxmemory.
 */
import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { loadStandaloneKeys } from '../../scripts/lib/standalone-keys.js';
import { startStandalone } from '../helpers/standalone.js';
import { clusterNodesFingerprint, runCli, useCluster, type LocalCluster, type LocalNode } from '../helpers/cluster.js';

const KEYS = 60_000;
const LOAD = { kind: 'strings' as const, valueSize: 200 };

async function totalKeys(c: LocalCluster): Promise<number> {
  let n = 0;
  for (const node of c.nodes) {
    const client = c.client(node);
    n += await client.dbsize();
    client.disconnect();
  }
  return n;
}

async function setMemory(c: LocalCluster, node: LocalNode, max: string, policy = 'noeviction'): Promise<void> {
  const client = c.client(node);
  await client.config('SET', 'maxmemory', max);
  await client.config('SET', 'maxmemory-policy', policy);
  client.disconnect();
}

const oneLine = (text: string): string[] => text.trim().split('\n');

describe('capacity: refused before anything moves, evictions reported', () => {
  const cluster = useCluster({ masters: 3, keys: KEYS, load: LOAD, empty: 1 });
  const target = (): LocalNode => cluster().nodes.find((n) => n.role === 'empty-master')!;

  it('plan --by memory gives a master twice the maxmemory twice the share, and shows each projection', async () => {
    const c = cluster();
    for (const n of c.nodes) await setMemory(c, n, n === target() ? '400mb' : '200mb');
    const r = await runCli(['plan', '--seed', c.seed, '--strategy', 'rebalance', '--by', 'memory', '--use-empty-masters', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const plan = JSON.parse(r.stdout) as { summary: { nodes: { id: string; after: { bytes: number }; memory?: { max: number } }[]; notes: string[] } };
    const total = plan.summary.nodes.reduce((a, n) => a + n.after.bytes, 0);
    const share = plan.summary.nodes.find((n) => n.id === target().id)!.after.bytes / total;
    expect(share).toBeGreaterThan(0.37);
    expect(share).toBeLessThan(0.43); // 400 of 1,000 MB
    expect(plan.summary.nodes.every((n) => n.memory && n.memory.max > 0)).toBe(true);
    for (const n of c.nodes) await setMemory(c, n, '0');
  });

  for (const policy of ['noeviction', 'allkeys-lru']) {
    it(`a target without room (${policy}) is refused: exit 2, one line naming it, the projection, the limit and the policy; nothing changed`, async () => {
      const c = cluster();
      await setMemory(c, target(), '4mb', policy);
      const before = await clusterNodesFingerprint(c);
      const r = await runCli(['rebalance', '--seed', c.seed, '--use-empty-masters', '--yes']);
      expect(r.code).toBe(2);
      const lines = oneLine(r.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(target().addr);
      expect(lines[0]).toMatch(/would hold about [\d.]+ MB .* over 95% of its maxmemory 4\.0 MB/);
      expect(lines[0]).toContain(`maxmemory-policy ${policy}`);
      expect(lines[0]).toMatch(policy === 'noeviction' ? /OOM/ : /evict keys .* data would be lost/);
      expect(await clusterNodesFingerprint(c)).toEqual(before);
      expect(await totalKeys(c)).toBe(KEYS);
    });
  }

  it('--ignore-capacity onto an evicting target: the run reports the evicted keys and exits 1, nothing left open', async () => {
    const c = cluster();
    await setMemory(c, target(), '4mb', 'allkeys-lru');
    const r = await runCli(['rebalance', '--seed', c.seed, '--use-empty-masters', '--ignore-capacity', '--yes', '--journal', `${c.dir}/ignore.ndjson`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/--ignore-capacity: going on although/);
    expect(r.stdout).toMatch(new RegExp(`${target().addr} evicted [\\d,]+ keys .*: those keys are lost`));
    expect(r.stdout).toMatch(/finished with keys lost/);
    expect(r.stdout).not.toMatch(/^done:/m);
    const evicted = Number(/([\d,]+) evicted and/.exec(r.stdout)![1]!.replace(/,/g, ''));
    expect(evicted).toBeGreaterThan(0);
    expect(oneLine(r.stderr).at(-1)).toMatch(/keys were evicted on the targets during the run and are lost/);
    expect(await totalKeys(c)).toBe(KEYS - evicted);
    expect((await runCli(['check', '--seed', c.seed])).code).toBe(0);
  });
});

describe('capacity: a target filling up during the run stops it cleanly', () => {
  const cluster = useCluster({ masters: 3, keys: KEYS, load: LOAD, empty: 1 });

  it('no new slot opens, the open ones finish, nothing is left open, exit 1 naming the node; every key is still there', async () => {
    const c = cluster();
    const target = c.nodes.find((n) => n.role === 'empty-master')!;
    await setMemory(c, target, '40mb');
    // One slot at a time, so the run is still going when the filler has filled the target.
    const run = runCli(['rebalance', '--seed', c.seed, '--use-empty-masters', '--concurrency', '1', '--yes', '--journal', `${c.dir}/fill.ndjson`]);
    const filler = c.client(target);
    try {
      // Fill the target through a slot it already owns (its first slots arrive right away).
      let owned: number | null = null;
      for (const deadline = Date.now() + 20_000; owned === null; ) {
        const me = ((await filler.call('CLUSTER', 'NODES')) as string).split('\n').find((l) => l.includes('myself'))!;
        // The slot fields start at the ninth; the first owned slot may be the first of them.
        const range = /(?:^|\s)(\d+)(?:-\d+)?(?=\s|$)/.exec(me.split(' ').slice(8).join(' '));
        if (range) owned = Number(range[1]);
        else if (Date.now() > deadline) throw new Error('the target never owned a slot');
      }
      let tag = 0;
      while (calculateSlot(`f${tag}`) !== owned) tag++;
      const big = 'x'.repeat(1024 * 1024);
      for (let i = 0; i < 60; i++) {
        const ok = await filler.set(`{f${tag}}:${i}`, big).then(() => true, () => false);
        if (!ok) break; // OOM: the target is full
      }
      const r = await run;
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`${target.addr} is at 9\\d% of its maxmemory`));
      expect(oneLine(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`stopped before a target ran out of room: ${target.addr} is at`));
      expect(r.stderr).toMatch(/nothing left open; make room, then: slotpilot resume --journal/);
    } finally {
      filler.disconnect();
    }
    expect((await runCli(['check', '--seed', c.seed])).code).toBe(0);
    expect(await verifySampleKeys([c.seed], { count: KEYS, ...LOAD })).toEqual([]);
  });

  it('a drain onto masters without room is refused before anything moves', async () => {
    const c = cluster();
    const masters = c.nodes.filter((n) => n.role === 'master');
    for (const n of c.nodes.filter((x) => x !== masters[0])) await setMemory(c, n, '6mb', 'allkeys-lru');
    const before = await clusterNodesFingerprint(c);
    const r = await runCli(['rebalance', '--seed', c.seed, '--strategy', 'drain', '--node', masters[0]!.addr, '--yes']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toHaveLength(1);
    expect(r.stderr).toMatch(/not enough room: .* over 95% of its maxmemory 6\.0 MB/);
    expect(await clusterNodesFingerprint(c)).toEqual(before);
  });
});

describe('capacity: an import into a cluster without room is refused before the first write', () => {
  const cluster = useCluster({ masters: 3 });

  it('import --from and import --rdb: exit 2, one line naming a master, nothing written', async () => {
    const c = cluster();
    const source = await startStandalone();
    try {
      await loadStandaloneKeys(source.addr, { count: 40_000, kind: 'strings', valueSize: 200 });
      const sc = source.client();
      await sc.save();
      const dir = String(((await sc.config('GET', 'dir')) as string[])[1]);
      sc.disconnect();
      for (const n of c.nodes) await setMemory(c, n, '4mb', 'allkeys-lru');
      for (const what of [['--from', source.addr], ['--rdb', `${dir}/dump.rdb`]]) {
        const r = await runCli(['import', '--seed', c.seed, ...what, '--copy', '--yes']);
        expect(r.code, r.stdout + r.stderr).toBe(2);
        expect(oneLine(r.stderr)).toHaveLength(1);
        expect(r.stderr).toMatch(/not enough room: 127\.0\.0\.1:\d+ would hold about .* over 95% of its maxmemory 4\.0 MB \(maxmemory-policy allkeys-lru: Redis would evict keys/);
        expect(await totalKeys(c)).toBe(0);
      }
    } finally {
      source.stop();
    }
  });
});
