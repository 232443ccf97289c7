/**
 * What applications see while slots move onto a master that just joined: a mixed load (new keys,
 * reads of keys that move, same-tag MSET/MGET, MULTI/EXEC) through ioredis, node-redis 5.12 and
 * node-redis 6 during `slotpilot rebalance --use-empty-masters`. No client may see an error, no
 * acknowledged write may be lost. node-redis 5.12 runs without MULTI: its MULTI follows no redirect
 * at all (redis/node-redis#3394), so it fails under any tool that moves a slot (redis-cli too).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX, startMixedLoad } from '../../scripts/lib/load/start-mixed-load.js';
import { runCli, useCluster } from '../helpers/cluster.js';

const KEYS = 100_000;

describe('clients during a rebalance onto a just-joined master', () => {
  const cluster = useCluster({ masters: 3, keys: KEYS, load: { kind: 'strings', valueSize: 100 }, empty: 1 });

  it('no client library sees an error, no acknowledged write is lost, the new master is introduced first', async () => {
    const seed = cluster().seed;
    const mix = { ...DEFAULT_MIX, opsPerSec: 2000, tagsPerLoop: 500, readKeys: KEYS, valueSize: 100 };
    const full = await startMixedLoad(seed, ['ioredis', 'node-redis-6'], mix);
    const noMulti = await startMixedLoad(seed, ['node-redis'], { ...mix, transactions: 0 });
    const r = await runCli(['rebalance', '--seed', seed, '--use-empty-masters', '--yes', '--json', '--journal', `${cluster().dir}/clients.ndjson`]);
    const stats = [...(await full.stop()), ...(await noMulti.stop())];
    expect(r.code, r.stderr).toBe(0);
    for (const s of stats) {
      expect(s.ops, s.client).toBeGreaterThan(1000);
      // One race no tool can close: a slot whose closing lands between two queued commands of one
      // ioredis transaction (the first answered ASK, the next MOVED) fails it with EXECABORT, as
      // ioredis retries a transaction only when every queued error is the same redirect. Seen once
      // in CI (1 in ~40,000 commands), never in the bench's nine runs; more than one is a regression.
      const { ['EXECABORT(multi)']: raced, ...errors } = s.errors;
      expect(raced?.count ?? 0, `${s.client}: ${raced?.first ?? ''}`).toBeLessThanOrEqual(s.client === 'ioredis' ? 1 : 0);
      expect({ client: s.client, errors, lost: s.lost }).toEqual({ client: s.client, errors: {}, lost: 0 });
    }
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; step?: string; slot?: number; summary?: { exposure?: { slotSeconds: number } } });
    // The new master's first slot closed before any other slot opened towards it (all go to it here).
    const starts = events.filter((e) => e.type === 'slot-start');
    const firstDone = events.findIndex((e) => e.type === 'slot-done' && e.slot === starts[0]!.slot);
    expect(events.indexOf(starts[1]!)).toBeGreaterThan(firstDone);
    expect(events.filter((e) => e.type === 'introduce').map((e) => e.step)).toEqual(['start', 'waiting', 'done']);
    expect(events.at(-1)?.summary?.exposure?.slotSeconds).toBeGreaterThan(0);
    expect((await runCli(['check', '--seed', seed])).code).toBe(0);
  });
});
