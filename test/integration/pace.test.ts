import { describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { startLoad } from '../../scripts/lib/load-client.js';
import { verifySampleKeys } from '../../scripts/lib/sample-keys.js';
import { runCli, useCluster } from '../helpers/cluster.js';

const KEYS = 20_000;

type Event = { type: string; mode?: string; clientOpsPerSec?: number; summary?: { failed: number } };
const eventsOf = (stdout: string): Event[] => stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Event);

describe('pace: full speed on a quiet cluster, gentle while clients write', () => {
  const cluster = useCluster({ masters: 2, keys: KEYS, empty: 1 });

  it('under live writes the run turns gentle (said in the events), loses no acknowledged write, and leaves the cluster clean', async () => {
    const load = startLoad(cluster().seed, 4, undefined, 'pace');
    await waitFor('the live writers to have 200 writes acknowledged', () => load.acknowledged >= 200);
    const r = await runCli(['rebalance', '--seed', cluster().seed, '--use-empty-masters', '--yes', '--json', '--journal', `${cluster().dir}/pace-load.ndjson`]);
    const stats = await load.stop();
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pace = eventsOf(r.stdout).filter((e) => e.type === 'pace');
    expect(pace[0]).toMatchObject({ mode: 'gentle' });
    expect(pace[0]!.clientOpsPerSec).toBeGreaterThan(50);
    const lost = await load.verify();
    load.close();
    expect(stats.errors).toBe(0);
    expect(lost).toBe(0);
    expect(await verifySampleKeys([cluster().seed], { count: KEYS })).toEqual([]);
    expect((await runCli(['check', '--seed', cluster().seed])).code).toBe(0);
  });

  it('on a quiet cluster the run never turns gentle; the plain output says nothing about pace', async () => {
    const drain = cluster().nodes.find((n) => n.role === 'empty-master')!;
    const json = await runCli(['rebalance', '--seed', cluster().seed, '--strategy', 'drain', '--node', drain.addr, '--yes', '--json', '--journal', `${cluster().dir}/pace-quiet.ndjson`]);
    expect(json.code).toBe(0);
    const events = eventsOf(json.stdout);
    expect(events.some((e) => e.type === 'run-end')).toBe(true);
    expect(events.filter((e) => e.type === 'pace')).toEqual([]);
    expect((await runCli(['check', '--seed', cluster().seed])).code).toBe(0);
  });

  it('--pace gentle is gentle from the start and says so; --pace bogus is a usage error', async () => {
    const [a, b] = cluster().nodes.filter((n) => n.role === 'master');
    const plain = await runCli(['rebalance', '--seed', cluster().seed, '--strategy', 'move', '--from', a!.addr, '--to', b!.addr, '--count', '300', '--pace', 'gentle', '--yes', '--journal', `${cluster().dir}/pace-gentle.ndjson`]);
    expect(plain.code, plain.stdout + plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/moving gently, at most two sources per target and one MIGRATE per source at a time/);
    const bad = await runCli(['rebalance', '--seed', cluster().seed, '--pace', 'bogus', '--yes']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(await verifySampleKeys([cluster().seed], { count: KEYS })).toEqual([]);
  });
});
