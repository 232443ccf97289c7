/**
 * `slotpilot sync` on real servers: a standalone source under live writers of non-idempotent
 * commands synced into a 3-master cluster and cut over (content equal key by key, no writer error);
 * SIGKILL mid-stream then a re-run that continues by partial resync; a backlog overrun that falls
 * back to a full sync and says why; a source restarted mid-sync; FLUSHALL stopping the run.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadStandaloneKeys } from '../../scripts/lib/standalone-keys.js';
import { countClusterKeys, masterClients, useCluster } from '../helpers/cluster.js';
import { compareWithCluster, spawnCli, startSource, startWriters, syncStats, type SourceServer } from '../helpers/sync-kit.js';
import { waitFor } from '../helpers/wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'slotpilot-sync-'));
const cluster = useCluster({ masters: 3 });
let source: SourceServer | null = null;
let n = 0;
const journal = (): string => join(dir, `sync-${++n}.ndjson`);

beforeEach(async () => {
  const clients = masterClients(cluster());
  await Promise.all(clients.map((c) => c.flushall()));
  for (const c of clients) c.disconnect();
});
afterEach(() => {
  source?.stop();
  source = null;
});

const sync = (from: string, j: string, ...extra: string[]) => spawnCli(['sync', '--from', from, '--seed', cluster().seed, '--yes', '--journal', j, ...extra]);
const events = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });

describe('slotpilot sync from a standalone Redis', () => {
  it('replicates under live writers, cuts over, and the cluster equals the source key by key; no writer saw an error', async () => {
    source = await startSource();
    await loadStandaloneKeys(source.addr, { count: 20_000 });
    const writers = startWriters(source.addr);
    await waitFor('the writers to run', () => writers.ops() > 2000);
    const run = sync(source.addr, journal(), '--cutover', '--no-tui');
    expect(await run.done, run.err()).toBe(0);
    const out = run.out();
    expect(out).toMatch(/full sync \(replication id [0-9a-f]{8}…, offset \d+\)/);
    expect(out).toMatch(/snapshot written: [\d,]+ keys; T_save .*T_transfer .*T_load/);
    expect(out).toMatch(/^in sync at offset \d+; source writes paused for [\d.]+ s — point clients at the cluster$/m);
    const src = source.client();
    try {
      // The source is paused for writes now: compare while nothing moves.
      expect(await compareWithCluster(src, cluster())).toEqual([]);
      await src.call('CLIENT', 'UNPAUSE');
    } finally {
      src.disconnect();
    }
    const stats = await writers.stop();
    expect(stats.errors, stats.firstError ?? '').toBe(0);
    expect(stats.ops).toBeGreaterThan(2000);
  });

  it('after SIGKILL mid-stream, a re-run continues by partial resync (sync_partial_ok grows, sync_full does not)', async () => {
    // The $<len> framing; a backlog that holds what the writers send between the kill and the
    // re-run (the default 1 MB did not on a busy CI machine: 1.2 MB in that second).
    source = await startSource(['--repl-diskless-sync', 'no', '--repl-backlog-size', '64mb']);
    await loadStandaloneKeys(source.addr, { count: 5000 });
    const j = journal();
    const writers = startWriters(source.addr, { idempotent: true });
    const first = sync(source.addr, j, '--json');
    await waitFor('the first run to stream', () => /"type":"synced"/.test(first.out()) && /"type":"checkpoint"/.test(readFileSync(j, 'utf8')), { timeoutMs: 60_000 });
    await waitFor('a checkpoint in the stream', () => readFileSync(j, 'utf8').split('\n').filter((l) => l.includes('"checkpoint"')).length >= 2, { timeoutMs: 20_000 });
    // While it streams, the source lists slotpilot as an online replica with the offset it applied.
    // (Its ACKs, once a second, carry the applied offset: past 0 once the writers' commands are in.)
    const listed = source;
    await waitFor('the source to list slotpilot as an online replica past offset 0', async () => {
      const watcher = listed.client();
      const info = await watcher.info('replication').finally(() => watcher.disconnect());
      return /slave0:ip=127\.0\.0\.1,port=\d+,state=online,offset=[1-9]\d*/.test(info);
    }, { timeoutMs: 5000 });
    first.child.kill('SIGKILL');
    await first.done;
    const src = source.client();
    try {
      const before = await syncStats(src);
      const again = sync(source.addr, j, '--exit-when-synced', '--no-tui');
      expect(await again.done, again.err()).toBe(0);
      expect(again.out()).toMatch(/partial resync from offset \d+ .*no second full sync/);
      const after = await syncStats(src);
      expect(after.partialOk).toBe(before.partialOk + 1);
      expect(after.full).toBe(before.full);
      const stats = await writers.stop();
      expect(stats.errors).toBe(0);
      // Writes made after the exit are not in the cluster: sync once more to compare a still source.
      const last = sync(source.addr, j, '--exit-when-synced', '--no-tui');
      expect(await last.done, last.err()).toBe(0);
      expect(await compareWithCluster(src, cluster())).toEqual([]);
      expect(await syncStats(src)).toMatchObject({ full: before.full });
    } finally {
      src.disconnect();
    }
  });

  it('when the backlog no longer holds the offset, a re-run does a full sync and says why; keys copied before are replaced', async () => {
    source = await startSource(['--repl-backlog-size', '16384']);
    await loadStandaloneKeys(source.addr, { count: 2000 });
    const j = journal();
    const first = sync(source.addr, j, '--exit-when-synced', '--no-tui');
    expect(await first.done, first.err()).toBe(0);
    const src = source.client();
    try {
      // Far more than the backlog: 200 writes of 1 KB.
      for (let i = 0; i < 200; i++) await src.set(`sp:${i}`, 'x'.repeat(1000));
      await src.del('sp:199');
      const before = await syncStats(src);
      const again = sync(source.addr, j, '--exit-when-synced', '--no-tui');
      expect(await again.done, again.err()).toBe(0);
      expect(again.out()).toMatch(/full sync .*the source cannot continue from offset \d+ .*backlog.*a key the source deleted meanwhile stays in the cluster/);
      expect((await syncStats(src)).full).toBe(before.full + 1);
      // Every key equals the source's, the 200 rewritten ones too; the one deleted while no sync ran
      // is still in the cluster (a snapshot does not list what it no longer has; docs/sync.md#resume).
      expect(await compareWithCluster(src, cluster())).toEqual(['the cluster holds 2000 keys, the source 1999']);
      const masters = masterClients(cluster());
      const held = await Promise.all(masters.map((m) => m.exists('sp:199').catch(() => 0).finally(() => m.disconnect()))); // MOVED from the others
      expect(held.reduce((a, b) => a + b, 0)).toBe(1);
    } finally {
      src.disconnect();
    }
  });

  it('follows a source restarted mid-sync and ends equal to it', async () => {
    source = await startSource();
    await loadStandaloneKeys(source.addr, { count: 2000 });
    const j = journal();
    const run = sync(source.addr, j, '--json', '--reconnect-timeout', '30');
    await waitFor('the run to stream', () => /"type":"synced"/.test(run.out()), { timeoutMs: 60_000 });
    await source.restart();
    const src = source.client();
    try {
      await src.connect();
      await waitFor('the link to come back', () => events(run.out()).filter((e) => e.type === 'psync').length >= 2, { timeoutMs: 30_000 });
      for (let i = 0; i < 100; i++) await src.incr(`after-restart:${i % 7}`);
      await waitFor('the writes after the restart to reach the cluster', async () => (await compareWithCluster(src, cluster())).length === 0, { timeoutMs: 20_000 });
      expect(events(run.out()).some((e) => e.type === 'link-lost')).toBe(true);
    } finally {
      src.disconnect();
    }
    run.child.kill('SIGTERM');
    expect(await run.done).toBe(130);
  });

  it('stops at FLUSHALL naming the command and offset, without applying it; --allow-flush applies it', async () => {
    source = await startSource();
    const src = source.client();
    try {
      await src.set('keep', '1');
      const run = sync(source.addr, journal(), '--no-tui');
      await waitFor('the run to stream', () => /in sync/.test(run.out()), { timeoutMs: 30_000 });
      await src.flushall();
      expect(await run.done).toBe(1);
      expect(run.err()).toMatch(/^slotpilot: .*FLUSHALL at offset \d+: it would empty the database/m);
      expect(await countClusterKeys(cluster())).toBe(1);
      const clients = masterClients(cluster());
      await Promise.all(clients.map((c) => c.flushall()));
      for (const c of clients) c.disconnect();
      await src.set('before', '1');
      const allowed = sync(source.addr, journal(), '--json', '--allow-flush');
      await waitFor('the run to stream', () => /"type":"synced"/.test(allowed.out()), { timeoutMs: 30_000 });
      await src.flushall();
      await src.set('after', '1');
      await waitFor('the flush and the write after it to reach the cluster', async () => (await compareWithCluster(src, cluster())).length === 0, { timeoutMs: 20_000 });
      allowed.child.kill('SIGTERM');
      expect(await allowed.done).toBe(130);
    } finally {
      src.disconnect();
    }
  });
});
