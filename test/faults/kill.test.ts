/**
 * Scenario 1: the slotpilot process is SIGKILLed at random points of a run — inside the key loop,
 * between SETSLOT steps, as slots close — under live traffic; `resume` must finish every run.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Plan } from '../../src/planner/plan-schema.js';
import { runCli, useCluster } from '../helpers/cluster.js';
import { between, checkCluster, mastersOf, pick, randomSlotRun, rng, runCliEvents, scenarioSeed, startTraffic, verifyScenario } from './fault-kit.js';

const KEYS = 20_000;
const ITERATIONS = Number(process.env.FAULT_KILL_ITERATIONS ?? 20);
const dir = mkdtempSync(join(tmpdir(), 'slotpilot-fault-kill-'));
const file = (name: string): string => join(dir, name);

/** Where to kill: the n-th event of a kind (a slot-phase event is sent just before its SETSLOT). */
type KillPoint = { readonly kind: 'slot-progress' | 'importing' | 'migrating' | 'assigning' | 'slot-done'; readonly n: number };

function matches(event: { type: string; phase?: unknown }, kind: KillPoint['kind']): boolean {
  return kind === 'slot-progress' || kind === 'slot-done' ? event.type === kind : event.type === 'slot-phase' && event.phase === kind;
}

describe('scenario 1: SIGKILL at random points, resume finishes', () => {
  const cluster = useCluster({ masters: 3, keys: KEYS });

  it(`${ITERATIONS} seeded kills under live traffic`, async () => {
    const seed = scenarioSeed('kill');
    const seeds = rng(seed);
    const traffic = startTraffic(cluster().seed, KEYS);
    let faults = 0;
    try {
      for (let i = 0; i < ITERATIONS; i++) {
        // Each iteration has its own seed (printed), derived from the scenario's, so one iteration's
        // choices can be replayed alone: FAULT_KILL_ITERATION_SEED=… FAULT_KILL_ITERATIONS=1.
        const iterationSeed = process.env.FAULT_KILL_ITERATION_SEED ? Number(process.env.FAULT_KILL_ITERATION_SEED) : Math.floor(seeds() * 2 ** 31);
        const rand = rng(iterationSeed);
        const ms = await mastersOf(cluster());
        const from = pick(rand, ms);
        const to = pick(rand, ms.filter((m) => m.id !== from.id));
        const [a, b] = randomSlotRun(rand, from, between(rand, 20, 150));
        const planFile = file(`plan-${i}.json`);
        const planned = await runCli(['plan', '--seed', cluster().seed, '--strategy', 'move', '--from', from.addr, '--to', to.addr, '--slots', `${a}-${b}`, '-o', planFile]);
        expect(planned.code, planned.stderr).toBe(0);
        const plan = JSON.parse(readFileSync(planFile, 'utf8')) as Plan;
        const keys = plan.moves.reduce((s, m) => s + m.keys, 0);
        const slots = plan.moves.length;
        const kinds: Array<[KillPoint['kind'], number]> = [
          ['slot-progress', keys],
          ['importing', slots],
          ['migrating', slots],
          ['assigning', slots],
          ['slot-done', slots],
        ];
        const points = kinds.filter(([, m]) => m >= 2);
        expect(points.length, `iteration ${i} (seed ${iterationSeed}): slots ${a}-${b} give ${slots} slot(s), ${keys} key(s): no point to kill at`).toBeGreaterThan(0);
        const [kind, max] = pick(rand, points);
        const point: KillPoint = { kind, n: between(rand, 1, max - 1) };
        const concurrency = between(rand, 2, 24);
        const journal = file(`journal-${i}.ndjson`);
        let seen = 0;
        const t0 = Date.now();
        const run = await runCliEvents(['apply', planFile, '--seed', cluster().seed, '--yes', '--json', '--batch', '1', '--concurrency', String(concurrency), '--journal', journal], (event, child) => {
          if (matches(event, point.kind) && ++seen === point.n) child.kill('SIGKILL');
        });
        const killed = run.signal === 'SIGKILL';
        process.stdout.write(`[faults] kill #${i} (seed ${iterationSeed}): ${slots} slots ${from.port}→${to.port}, concurrency ${concurrency}, kill at ${point.kind} #${point.n}: ${killed ? 'killed' : `exited ${run.code}`} after ${Date.now() - t0} ms\n`);
        if (killed) {
          faults++;
          const t1 = Date.now();
          const resumed = await runCli(['resume', '--journal', journal, '--yes']);
          process.stdout.write(`[faults] kill #${i}: resume exited ${resumed.code} after ${Date.now() - t1} ms\n`);
          expect(resumed.code, `iteration ${i} (seed ${iterationSeed}): ${resumed.stdout}${resumed.stderr}`).toBe(0);
          expect(resumed.stderr).toBe('');
        } else {
          expect(run.code, run.err).toBe(0);
        }
        // resume exiting 0 means every planned slot is done; a full check now and then (and at the end).
        if (i % 5 === 4) {
          const check = await checkCluster(cluster());
          expect(check.code, `iteration ${i} (seed ${iterationSeed}): ${check.text}`).toBe(0);
        }
      }
    } finally {
      await verifyScenario(cluster(), traffic, { scenario: 'SIGKILL at random points + resume', seed, iterations: ITERATIONS, faults }, KEYS);
    }
    expect(faults).toBeGreaterThanOrEqual(Math.ceil(ITERATIONS * 0.75));
  });
});
