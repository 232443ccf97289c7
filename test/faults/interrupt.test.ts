/**
 * Scenario 5: Ctrl-C under live traffic. A first SIGINT finishes the slots in flight, leaves none
 * open and exits 130; a second, immediate one stops at once (slots may stay open). `resume` finishes
 * both runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import calculateSlot from 'cluster-key-slot';
import { describe, expect, it } from 'vitest';
import { runCli, useCluster } from '../helpers/cluster.js';
import { between, checkCluster, longestRange, mastersOf, rng, runCliEvents, scenarioSeed, startTraffic, type Traffic, verifyScenario } from './fault-kit.js';

const KEYS = 10_000;
const BIG_VALUE = 2 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-fault-int-'));
const file = (name: string): string => join(dir, name);

describe('scenario 5: Ctrl-C and a second, immediate Ctrl-C', () => {
  const cluster = useCluster({ masters: 3, keys: KEYS });
  let traffic: Traffic;
  let seed = 0;
  let rand: () => number = Math.random;
  let faults = 0;

  it('graceful Ctrl-C: slots in flight finish, none left open, exit 130; resume finishes', async () => {
    seed = scenarioSeed('ctrl-c');
    rand = rng(seed);
    traffic = startTraffic(cluster().seed, KEYS);
    const [a, b] = await mastersOf(cluster());
    const first = a!.slots[0]![0];
    const planned = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', a!.addr, '--to', b!.addr, '--slots', `${first}-${first + 999}`, '-o', file('graceful.json')]);
    expect(planned.code, planned.stderr).toBe(0);
    const after = between(rand, 5, 200);
    let sent = false;
    const r = await runCliEvents(['apply', file('graceful.json'), '--seed', cluster().seed, '--yes', '--json', '--batch', '1', '--concurrency', String(between(rand, 4, 32)), '--journal', file('graceful.ndjson')], (event, child, n) => {
      if (!sent && event.type === 'slot-done' && n >= after) {
        sent = true;
        faults++;
        child.kill('SIGINT');
      }
    });
    process.stdout.write(`[faults] ctrl-c after event #${after}: exit ${r.code}\n`);
    expect(r.code, r.err).toBe(130);
    expect(r.err).toMatch(/interrupted: \d+\/1000 slots moved; finish with: slotpilot resume --journal/);
    expect(r.events.at(-1)).toMatchObject({ type: 'run-end', summary: { stoppedBy: 'signal', failed: 0 } });
    expect((await checkCluster(cluster())).openSlots).toBe(0);
    const resumed = await runCli(['resume', '--journal', file('graceful.ndjson'), '--yes']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
  });

  it('second Ctrl-C: stops at once, exit 130; resume brings the cluster back to clean', async () => {
    const [, b, c] = await mastersOf(cluster());
    const range = longestRange(c!);
    const first = range[1] - 999;
    // Big values keep the graceful stop busy long enough for the second Ctrl-C to matter.
    // Two 2 MB values in each of the first 60 slots: the slots in flight at the first Ctrl-C hold some.
    const perSlot = new Map<number, string[]>();
    for (let i = 0; i < 200_000; i++) {
      const k = `big:${i}`;
      const slot = calculateSlot(k);
      if (slot < first || slot >= first + 60 || (perSlot.get(slot)?.length ?? 0) >= 2) continue;
      perSlot.set(slot, [...(perSlot.get(slot) ?? []), k]);
    }
    const big = [...perSlot.values()].flat();
    const cc = cluster().client(c!.addr);
    for (const k of big) await cc.set(k, 'x'.repeat(BIG_VALUE));
    cc.disconnect();
    const planned = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', c!.addr, '--to', b!.addr, '--slots', `${first}-${first + 999}`, '-o', file('double.json')]);
    expect(planned.code, planned.stderr).toBe(0);
    const after = between(rand, 3, 30);
    let sent = 0;
    let done = 0;
    const r = await runCliEvents(['apply', file('double.json'), '--seed', cluster().seed, '--yes', '--json', '--batch', '1', '--concurrency', '8', '--journal', file('double.ndjson')], (event, child) => {
      const second = (): void => {
        if (sent !== 1) return;
        sent = 2;
        child.kill('SIGINT');
      };
      if (sent === 0 && event.type === 'slot-done' && ++done >= after) {
        sent = 1;
        child.kill('SIGINT');
        // The second a moment later (two signals sent at once may arrive as one), or as soon as the
        // first is acknowledged, whichever comes first: this process is busy with the live traffic.
        setTimeout(second, 10);
      }
      if (event.type === 'stopping') second();
    });
    faults += sent;
    process.stdout.write(`[faults] double ctrl-c after ${after} slot(s) done: exit ${r.code ?? r.signal}, ${/stopping now/.test(r.err) ? 'stopped at once' : 'graceful stop had finished'}\n`);
    expect(sent).toBe(2);
    // Usually the second Ctrl-C lands while the slots in flight finish: exit 130 at once. If the
    // graceful stop won the race, the process was already on its way out (the shell sees 130 too).
    if (/stopping now/.test(r.err)) expect(r.code, r.err).toBe(130);
    else expect([r.code === 130, r.signal === 'SIGINT'], r.err).toContain(true);
    expect(r.err).toMatch(/stopping now; finish with: slotpilot resume --journal|interrupted: \d+\/1000 slots moved/);
    const resumed = await runCli(['resume', '--journal', file('double.ndjson'), '--yes']);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const bc = cluster().client(b!.addr);
    for (const k of big) expect(await bc.strlen(k)).toBe(BIG_VALUE);
    bc.disconnect();
    // They are not sample keys: remove them so the verification below reads only what it knows.
    const cleanup = cluster().client(b!.addr);
    for (const k of big) await cleanup.del(k);
    cleanup.disconnect();
  });

  it('nothing lost', async () => {
    await verifyScenario(cluster(), traffic, { scenario: 'Ctrl-C graceful and immediate + resume', seed, iterations: 2, faults }, KEYS);
  });
});
