/** The bench's tables: one row per run, one per client library, then the ratios and their spread over rounds. */
import { availableParallelism } from 'node:os';
import type { ExposureReading } from './exposure-sampler.js';
import type { MixedLoadStats } from './load/mixed-load.js';

export interface Workload {
  readonly name: string;
  readonly masters: number;
  readonly empty: number;
  readonly keys: number;
  readonly modes: ReadonlyArray<'idle' | 'load'>;
}

export interface BenchResult {
  readonly round: number;
  readonly workload: string;
  readonly tool: 'redis-cli' | 'slotpilot';
  readonly mode: 'idle' | 'load';
  readonly seconds: number;
  readonly keysMoved: number;
  readonly exitCode: number | null;
  readonly peakRssMb: number | null;
  readonly exposure: ExposureReading;
  /**
   * CPU seconds during the run: the tool's process (and its children) and every Redis node of the
   * cluster (null off Linux), and the bench's own process — the client libraries' worker threads
   * and the exposure meter — which shares the same cores.
   */
  readonly cpu: { readonly tool: number | null; readonly redis: number | null; readonly load: number };
  readonly clients: readonly MixedLoadStats[];
  readonly clean: boolean;
}

export interface Ratio {
  readonly workload: string;
  readonly mode: string;
  readonly round: number;
  readonly speedup: number;
  readonly exposureRatio: number;
  /** slotpilot's p99 over redis-cli's, per client library. */
  readonly p99Ratio: Readonly<Record<string, number>>;
  /** slotpilot's client errors, per client library. */
  readonly errors: Readonly<Record<string, number>>;
  /** CPU seconds of tool + Redis nodes in the run, slotpilot's and redis-cli's (null off Linux). */
  readonly cpu: { readonly slotpilot: number | null; readonly redisCli: number | null };
}

const cpuOf = (r: BenchResult): number | null => (r.cpu.tool === null || r.cpu.redis === null ? null : r.cpu.tool + r.cpu.redis);

const f = (n: number | null | undefined, d = 1): string => (n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toFixed(d));
const kinds = (c: MixedLoadStats): string => Object.entries(c.errors).map(([k, e]) => `${k}×${e.count}`).join(' ') || '0';

export function ratiosOf(results: readonly BenchResult[]): Ratio[] {
  const out: Ratio[] = [];
  for (const sp of results.filter((r) => r.tool === 'slotpilot')) {
    const cli = results.find((r) => r.tool === 'redis-cli' && r.workload === sp.workload && r.mode === sp.mode && r.round === sp.round);
    if (!cli) continue;
    const p99Ratio: Record<string, number> = {};
    const errors: Record<string, number> = {};
    for (const c of sp.clients) {
      const other = cli.clients.find((x) => x.client === c.client);
      if (other) p99Ratio[c.client] = c.p99 / other.p99;
      errors[c.client] = c.errorCount;
    }
    out.push({ workload: sp.workload, mode: sp.mode, round: sp.round, speedup: cli.seconds / sp.seconds, exposureRatio: sp.exposure.slotSeconds / cli.exposure.slotSeconds, p99Ratio, errors, cpu: { slotpilot: cpuOf(sp), redisCli: cpuOf(cli) } });
  }
  return out;
}

const spread = (xs: readonly number[], d = 2): string => (xs.length > 1 ? `${f(Math.min(...xs), d)}–${f(Math.max(...xs), d)}` : f(xs[0], d));

/** Print the tables; returns the ratios (also written to the results file). */
export function printBench(results: readonly BenchResult[], workloads: readonly Workload[]): Ratio[] {
  console.log('\nworkloads: ' + workloads.map((w) => `${w.name} = ${w.masters} masters + ${w.empty} empty, ${w.keys} keys`).join('; '));
  const cores = availableParallelism();
  // tool + Redis CPU over what the cores could give in the run's time: near 100%, the run is short of CPU, not waiting.
  const busy = (r: BenchResult): number | null => {
    const cpu = cpuOf(r);
    return cpu === null ? null : (100 * cpu) / (r.seconds * cores);
  };
  // Everything that ran (tool, nodes, load and meter) over the cores: what was left idle.
  const all = (r: BenchResult): number | null => {
    const cpu = cpuOf(r);
    return cpu === null ? null : (100 * (cpu + r.cpu.load)) / (r.seconds * cores);
  };
  console.log(`\nround workload tool       mode  seconds  keys moved  slot-s  max open  bursts  reloads  RSS MB  CPU s: tool  redis  load  % of ${cores} cores  all %  check`);
  for (const r of results) {
    const e = r.exposure;
    console.log(
      `${String(r.round).padStart(5)} ${r.workload.padEnd(8)} ${r.tool.padEnd(10)} ${r.mode.padEnd(5)} ${f(r.seconds, 2).padStart(7)}  ${String(r.keysMoved).padStart(10)}  ${f(e.slotSeconds, 1).padStart(6)}  ${String(e.maxOpen).padStart(8)}  ${String(e.closingBursts).padStart(6)}  ${String(e.mapReloads).padStart(7)}  ${String(r.peakRssMb ?? '-').padStart(6)}  ${f(r.cpu.tool, 2).padStart(11)}  ${f(r.cpu.redis, 2).padStart(5)}  ${f(r.cpu.load, 2).padStart(4)}  ${f(busy(r), 0).padStart(12)}  ${f(all(r), 0).padStart(5)}  ${r.clean && r.exitCode === 0 ? 'clean' : `PROBLEMS (exit ${r.exitCode})`}`,
    );
  }
  const loaded = results.filter((r) => r.clients.length);
  if (loaded.length) {
    console.log('\nround workload tool       client        ops  p50 ms  p99 ms  max ms  lost  errors by kind');
    for (const r of loaded) {
      for (const c of r.clients) {
        console.log(`${String(r.round).padStart(5)} ${r.workload.padEnd(8)} ${r.tool.padEnd(10)} ${c.client.padEnd(10)} ${String(c.ops).padStart(8)}  ${f(c.p50, 2).padStart(6)}  ${f(c.p99, 2).padStart(6)}  ${f(c.max, 1).padStart(6)}  ${String(c.lost).padStart(4)}  ${kinds(c)}`);
      }
    }
    const firsts = loaded.flatMap((r) => r.clients.flatMap((c) => Object.entries(c.errors).map(([k, e]) => `  ${r.tool} ${r.workload} round ${r.round}, ${c.client}, ${k}: ${e.first}`)));
    if (firsts.length) console.log(`\nfirst message of each error kind:\n${[...new Set(firsts)].join('\n')}`);
  }
  const ratios = ratiosOf(results);
  if (ratios.length) {
    console.log('\nslotpilot against redis-cli, same round:');
    const groups = new Map<string, Ratio[]>();
    for (const x of ratios) {
      const key = `${x.workload} ${x.mode}`;
      groups.set(key, [...(groups.get(key) ?? []), x]);
    }
    for (const [key, xs] of groups) {
      const parts = [`${spread(xs.map((x) => x.speedup))}× faster`, `exposure ${spread(xs.map((x) => x.exposureRatio))}× redis-cli's slot-seconds`];
      const cpus = xs.filter((x) => x.cpu.slotpilot !== null && x.cpu.redisCli !== null);
      if (cpus.length) parts.push(`CPU of tool + Redis ${spread(cpus.map((x) => x.cpu.slotpilot!), 1)} s, redis-cli's ${spread(cpus.map((x) => x.cpu.redisCli!), 1)} s`);
      for (const c of Object.keys(xs[0]!.p99Ratio)) parts.push(`${c} p99 ${spread(xs.map((x) => x.p99Ratio[c]!))}×, errors ${xs.map((x) => x.errors[c]).join('/')}`);
      console.log(`  ${key.padEnd(11)} ${parts.join('; ')}${xs.length > 1 ? ` (${xs.length} rounds, min–max)` : ''}`);
    }
  }
  return ratios;
}
