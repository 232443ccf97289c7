/**
 * The bench's exposure meter: reads every master's CLUSTER NODES every `everyMs` while a tool runs
 * and folds the open slots into an ExposureMeter (src/topology/exposure.ts), the same way for
 * redis-cli and slotpilot. Also reads each master's `cluster|slots` calls before and after, so the
 * bench can say how often the clients reloaded their slot maps.
 */
import { parseAddr, type ConnectionOptions } from '../../src/redis/connection.js';
import { PipeConnection } from '../../src/redis/pipe-connection.js';
import { ExposureMeter, type ExposureStats } from '../../src/topology/exposure.js';

export interface ExposureReading extends ExposureStats {
  /** Readings taken, and the mean time between two (ms). */
  readonly samples: number;
  readonly meanIntervalMs: number;
  /** CLUSTER SLOTS (and SHARDS) answered by the masters during the run: the clients' slot-map reloads. */
  readonly mapReloads: number;
}

export interface ExposureSampler {
  /** Resolves once a reading that started after this call is folded in (tests wait on it). */
  nextReading(): Promise<void>;
  stop(): Promise<ExposureReading>;
}

/** Open slots in a node's own CLUSTER NODES text: the markers on its `myself` line. */
export function openSlotsOfView(text: string, into: Set<number>): void {
  const me = text.split('\n').find((l) => l.includes('myself'));
  if (!me) return;
  for (const m of me.matchAll(/\[(\d+)-[<>]-/g)) into.add(Number(m[1]));
}

async function slotMapCalls(conns: readonly PipeConnection[]): Promise<number> {
  const infos = await Promise.all(conns.map((c) => c.call('INFO', 'commandstats').then(String, () => '')));
  let calls = 0;
  for (const info of infos) for (const m of info.matchAll(/^cmdstat_cluster\|(?:slots|shards):calls=(\d+)/gm)) calls += Number(m[1]);
  return calls;
}

/** Start sampling the given masters (`host:port`) at once. */
export async function startExposureSampler(masters: readonly string[], conn: ConnectionOptions = {}, everyMs = 10): Promise<ExposureSampler> {
  const conns = await Promise.all(masters.map((m) => PipeConnection.open(parseAddr(m), conn, 'exposure-meter')));
  const meter = new ExposureMeter();
  const reloadsBefore = await slotMapCalls(conns);
  const started = Date.now();
  let samples = 0;
  let running = true;
  /** Waiters for a reading that starts after they asked (a reading under way may predate the change they wait for). */
  let waiting: Array<() => void> = [];
  const loop = (async () => {
    while (running) {
      const t0 = Date.now();
      const woken = waiting;
      waiting = [];
      const views = await Promise.all(conns.map((c) => c.call('CLUSTER', 'NODES').then(String, () => '')));
      const open = new Set<number>();
      for (const v of views) openSlotsOfView(v, open);
      meter.observe(open, Date.now());
      samples++;
      for (const w of woken) w();
      const wait = everyMs - (Date.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();
  return {
    nextReading: () => new Promise<void>((resolve) => waiting.push(resolve)),
    async stop() {
      running = false;
      await loop;
      for (const w of waiting) w();
      const now = Date.now();
      const mapReloads = (await slotMapCalls(conns)) - reloadsBefore;
      for (const c of conns) c.destroy();
      return { ...meter.stats(now), samples, meanIntervalMs: samples ? (now - started) / samples : 0, mapReloads };
    },
  };
}
