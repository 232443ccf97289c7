/**
 * Global setup of the fault suite: each scenario appends one JSON line of figures to a shared file
 * (see recordScenario in fault-kit.ts); at the end the totals are printed as one summary line and
 * written to fault-results.json.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { ScenarioFigures } from './fault-kit.js';

declare module 'vitest' {
  export interface ProvidedContext {
    faultStatsFile: string;
  }
}

export const RESULTS_FILE = 'fault-results.json';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'slotpilot-fault-stats-'));
  const file = join(dir, 'scenarios.ndjson');
  project.provide('faultStatsFile', file);
  const started = Date.now();
  return () => {
    const rows: ScenarioFigures[] = existsSync(file)
      ? readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as ScenarioFigures)
      : [];
    rmSync(dir, { recursive: true, force: true });
    const sum = (f: (r: ScenarioFigures) => number): number => rows.reduce((a, r) => a + f(r), 0);
    const totals = {
      scenarios: rows.length,
      iterations: sum((r) => r.iterations),
      faultsInjected: sum((r) => r.faults),
      keysVerified: sum((r) => r.keysVerified),
      ackedWritesVerified: sum((r) => r.writesVerified),
      readsChecked: sum((r) => r.readsChecked),
      lost: sum((r) => r.lost),
      badReads: sum((r) => r.badReads),
      openSlotsLeft: sum((r) => r.openSlotsLeft),
      seconds: Math.round((Date.now() - started) / 1000),
    };
    writeFileSync(RESULTS_FILE, `${JSON.stringify({ finishedAt: new Date().toISOString(), totals, scenarios: rows }, null, 2)}\n`);
    const line =
      `fault suite: ${totals.scenarios} scenarios × ${totals.iterations} iterations, ${totals.faultsInjected} faults injected, ` +
      `${totals.keysVerified} keys and ${totals.ackedWritesVerified} acknowledged writes verified, ${totals.readsChecked} live reads checked, ` +
      `lost = ${totals.lost}, bad reads = ${totals.badReads}, open slots left = ${totals.openSlotsLeft} (${totals.seconds} s; ${RESULTS_FILE})`;
    for (const r of rows) process.stdout.write(`  ${r.scenario}: ${r.iterations} iteration(s), ${r.faults} fault(s), seed ${r.seed}${r.note ? `; ${r.note}` : ''}\n`);
    process.stdout.write(`${line}\n`);
  };
}
