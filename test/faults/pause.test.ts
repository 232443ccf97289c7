/**
 * Scenario 2: a target, then a source, paused (SIGSTOP) for longer than the MIGRATE timeout while
 * slots move to/from it, then resumed (SIGCONT). The run must report the slot failed with a reason
 * that says what happened, lose nothing, and `resume` must finish.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, useCluster, type LocalNode } from '../helpers/cluster.js';
import { between, longestRange, mastersOf, rng, runCliEvents, scenarioSeed, startTraffic, verifyScenario, type Traffic } from './fault-kit.js';

const KEYS = 10_000;
const MIGRATE_TIMEOUT_MS = 300;
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-fault-pause-'));
const file = (name: string): string => join(dir, name);

describe('scenario 2: a node paused longer than the MIGRATE timeout', () => {
  // A long node timeout: the pause must not turn into a failover or a FAIL flag; this is about MIGRATE.
  const cluster = useCluster({ masters: 3, keys: KEYS, nodeTimeoutMs: 30_000 });
  let traffic: Traffic;
  let seed = 0;
  let rand: () => number = Math.random;
  let faults = 0;
  const paused = new Set<number>();
  afterAll(() => {
    for (const pid of paused) process.kill(pid, 'SIGCONT');
  });

  async function pauseDuringRun(which: 'target' | 'source', name: string): Promise<void> {
    const [a, b] = await mastersOf(cluster());
    const from = which === 'target' ? a! : b!;
    const to = which === 'target' ? b! : a!;
    const range = longestRange(from);
    const first = range[0] + between(rand, 0, 200);
    const planned = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', from.addr, '--to', to.addr, '--slots', `${first}-${first + 399}`, '-o', file(`${name}.json`)]);
    expect(planned.code, planned.stderr).toBe(0);
    const victim = cluster().nodes.find((n) => n.addr === (which === 'target' ? to.addr : from.addr)) as LocalNode;
    const after = between(rand, 5, 60);
    let stoppedAt = 0;
    let pausedMs = 0;
    const cont = (): void => {
      if (!paused.delete(victim.pid)) return;
      process.kill(victim.pid, 'SIGCONT');
      pausedMs = Date.now() - stoppedAt;
    };
    // Resumed once the run reports the failure, or after 40 s at most.
    let guard: NodeJS.Timeout | undefined;
    const r = await runCliEvents(
      ['apply', file(`${name}.json`), '--seed', cluster().seed, '--yes', '--json', '--batch', '1', '--concurrency', '16', '--migrate-timeout', String(MIGRATE_TIMEOUT_MS), '--journal', file(`${name}.ndjson`)],
      (event, _child, n) => {
        if (!stoppedAt && event.type === 'slot-progress' && n >= after) {
          stoppedAt = Date.now();
          process.kill(victim.pid, 'SIGSTOP');
          paused.add(victim.pid);
          faults++;
          guard = setTimeout(cont, 40_000);
        }
        if (stoppedAt && event.type === 'slot-failed') cont();
      },
    );
    clearTimeout(guard);
    cont();
    const failures = r.events.filter((e) => e.type === 'slot-failed');
    process.stdout.write(`[faults] ${which} ${victim.port} paused ${pausedMs} ms: exit ${r.code}; ${failures.length} failed: ${[...new Set(failures.map((e) => e.reason))].slice(0, 3).join(' | ')}\n`);
    expect(stoppedAt).toBeGreaterThan(0);
    expect(r.code, r.err).toBe(1);
    expect(failures.length).toBeGreaterThan(0);
    expect(r.err).toMatch(/slot\(s\) failed.*slotpilot resume --journal/);
    // The source's MIGRATE times out (target paused), or slotpilot's own connection to the paused
    // node gives up first: either way the reason names what stopped answering.
    const why = which === 'target' ? `the target did not answer|no reply from ${victim.addr}` : `no reply from ${victim.addr}|Connection is closed`;
    for (const f of failures) expect(String(f.reason)).toMatch(new RegExp(why));
    // A MIGRATE whose reply the pause swallowed (the source timed out reading it, or slotpilot closed
    // the connection first) may have left a copy of its keys on the target. Nobody rewrites a key
    // here, so that copy holds the source's value: resume must overwrite it on its own, no --replace.
    const resumed = await runCli(['resume', '--journal', file(`${name}.ndjson`), '--yes']);
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    const copies = resumed.stdout.split('\n').filter((l) => /with the source's value .*overwritten/.test(l));
    if (copies.length) process.stdout.write(`[faults] ${which} paused: resume overwrote ${copies.length} same copy line(s): ${copies[0]}\n`);
  }

  it('target paused: the slot fails naming the timeout, resume finishes', async () => {
    seed = scenarioSeed('pause');
    rand = rng(seed);
    traffic = startTraffic(cluster().seed, KEYS);
    await pauseDuringRun('target', 'target');
  });

  it('source paused: the slot fails naming the node that stopped answering, resume finishes', async () => {
    await pauseDuringRun('source', 'source');
  });

  it('nothing lost', async () => {
    await verifyScenario(cluster(), traffic, { scenario: 'target / source paused (SIGSTOP) + resume', seed, iterations: 2, faults }, KEYS);
  });
});
