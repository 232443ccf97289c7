/**
 * Shared tools of the fault suite: seeded randomness (every seed is printed so a failure can be
 * replayed with FAULT_SEED=…), a live client load through ioredis Cluster that tracks acknowledged
 * writes and checks every read, the CLI run with a hook on each NDJSON event (where faults are
 * injected), and the end-of-scenario verification whose figures feed the suite summary.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { Cluster } from 'ioredis';
import { expect, inject } from 'vitest';
import { sampleKey, verifySampleKeys, type SampleTls } from '../../scripts/lib/sample-keys.js';
import { parseAddr, type ConnectionOptions } from '../../src/redis/connection.js';
import { readTopology } from '../../src/topology/read-topology.js';
import type { Topology, TopologyNode } from '../../src/topology/types.js';
import { CLI, runCli, type LocalCluster } from '../helpers/cluster.js';

/** One scenario's figures, one JSON line each; summary-setup.ts adds them up. */
export interface ScenarioFigures {
  readonly scenario: string;
  readonly seed: number;
  readonly iterations: number;
  readonly faults: number;
  readonly keysVerified: number;
  readonly writesVerified: number;
  readonly readsChecked: number;
  readonly lost: number;
  readonly badReads: number;
  readonly openSlotsLeft: number;
  readonly note?: string;
}

export function recordScenario(figures: ScenarioFigures): void {
  appendFileSync(inject('faultStatsFile'), `${JSON.stringify(figures)}\n`);
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The scenario's seed: FAULT_SEED when given (to replay a failure), else fresh. Always printed. */
export function scenarioSeed(scenario: string): number {
  const seed = process.env.FAULT_SEED ? Number(process.env.FAULT_SEED) : Math.floor(Math.random() * 2 ** 31);
  process.stdout.write(`[faults] ${scenario}: seed ${seed} (replay: FAULT_SEED=${seed} npm run test:faults)\n`);
  return seed;
}

export const pick = <T>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
export const between = (rand: () => number, lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));

export interface TrafficStats {
  readonly writes: number;
  readonly writeErrors: number;
  readonly reads: number;
  readonly readErrors: number;
  /** Reads of a pre-loaded key that answered something else than its value (null included). */
  readonly badReads: readonly string[];
}

export interface Traffic {
  stop(): Promise<TrafficStats>;
  /** Read back every acknowledged write; returns how many are missing or wrong. */
  verify(): Promise<{ checked: number; missing: number }>;
  close(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Live traffic like an application's: writers SET unique keys (each acknowledged one is recorded),
 * readers GET pre-loaded string keys and compare them with what they must be. Paced a little so the
 * load does not starve the two cores the nodes and slotpilot share.
 */
export function startTraffic(seed: string, preloaded: number, opts: { writers?: number; readers?: number; password?: string; tls?: SampleTls; prefix?: string } = {}): Traffic {
  const { host, port } = parseAddr(seed);
  const cluster = new Cluster([{ host, port }], {
    redisOptions: { password: opts.password, tls: opts.tls, commandTimeout: 4000, connectTimeout: 2000 },
    maxRedirections: 64,
    retryDelayOnMoved: 5,
    retryDelayOnTryAgain: 20,
    retryDelayOnClusterDown: 100,
    slotsRefreshTimeout: 2000,
  });
  cluster.on('error', () => {});
  const prefix = opts.prefix ?? 'ack';
  const acked: Array<[string, string]> = [];
  let writes = 0;
  let writeErrors = 0;
  let reads = 0;
  let readErrors = 0;
  const badReads: string[] = [];
  let running = true;
  const strings = Array.from({ length: preloaded }, (_, i) => i).filter((i) => i % 10 < 6);
  const loops = [
    ...Array.from({ length: opts.writers ?? 3 }, async (_, w) => {
      for (let i = 0; running; i++) {
        const key = `${prefix}:${w}:${i}`;
        const value = `w${w}-${i}`;
        try {
          await cluster.set(key, value);
          writes++;
          acked.push([key, value]);
        } catch {
          writeErrors++;
          await sleep(20);
        }
        if (i % 2 === 0) await sleep(1);
      }
    }),
    ...Array.from({ length: strings.length ? (opts.readers ?? 2) : 0 }, async (_, r) => {
      for (let i = r; running; i += 7) {
        const k = sampleKey(strings[i % strings.length]!);
        try {
          const v = await cluster.get(k.key);
          reads++;
          if (v !== k.value) badReads.push(`${k.key}=${JSON.stringify(v)}`);
        } catch {
          readErrors++;
          await sleep(20);
        }
        if (i % 2 === 0) await sleep(1);
      }
    }),
  ];
  return {
    async stop() {
      running = false;
      await Promise.all(loops);
      return { writes, writeErrors, reads, readErrors, badReads };
    },
    async verify() {
      let missing = 0;
      for (let i = 0; i < acked.length; i += 2000) {
        const chunk = acked.slice(i, i + 2000);
        const values = await Promise.all(chunk.map(([k]) => cluster.get(k)));
        values.forEach((v, j) => {
          if (v !== chunk[j]![1]) missing++;
        });
      }
      return { checked: acked.length, missing };
    },
    close() {
      cluster.disconnect();
    },
  };
}

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: string;
  readonly err: string;
  readonly events: ReadonlyArray<Record<string, unknown> & { type: string }>;
}

/**
 * Run `slotpilot <args>` (give it --json) and call `onEvent` for every NDJSON event as it arrives,
 * with the child: this is where a test kills, pauses or signals something.
 */
export function runCliEvents(
  args: readonly string[],
  onEvent: (event: Record<string, unknown> & { type: string }, child: ChildProcess, seen: number) => void,
  env: Record<string, string | undefined> = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', ...env } });
    let out = '';
    let err = '';
    let buf = '';
    const events: Array<Record<string, unknown> & { type: string }> = [];
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      buf += d;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const ev = JSON.parse(line) as Record<string, unknown> & { type: string };
          events.push(ev);
          onEvent(ev, child, events.length);
        } catch {
          // Not an event line.
        }
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 240_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err, events });
    });
  });
}

export async function readCluster(c: LocalCluster, conn: ConnectionOptions = {}): Promise<Topology> {
  return readTopology(parseAddr(c.seed), conn, { keys: false });
}

export async function mastersOf(c: LocalCluster, conn: ConnectionOptions = {}): Promise<TopologyNode[]> {
  const t = await readCluster(c, conn);
  return t.nodes.filter((n) => n.role === 'master' && n.slots.length).sort((a, b) => a.port - b.port);
}

/** `node`'s longest run of consecutive slots. */
export const longestRange = (node: TopologyNode): readonly [number, number] => node.slots.reduce((x, y) => (y[1] - y[0] > x[1] - x[0] ? y : x));

/** A random run of `n` consecutive slots owned by `node` (shorter if its ranges are). */
export function randomSlotRun(rand: () => number, node: TopologyNode, n: number): [number, number] {
  // Ranges that hold `n` slots, else the longest: after a dozen moves a master's slots are cut into
  // runs of every length, and a 1-slot run (≤1 key) leaves the kill no point to stop at.
  const ranges = node.slots.filter(([a, b]) => b - a + 1 >= n);
  const [a, b] = ranges.length ? pick(rand, ranges) : longestRange(node);
  const len = Math.min(n, b - a + 1);
  const start = between(rand, a, b - len + 1);
  return [start, start + len - 1];
}

/** `check` exit code and the number of open slots it reports. */
export async function checkCluster(c: LocalCluster, env: Record<string, string | undefined> = {}, extra: readonly string[] = []): Promise<{ code: number | null; openSlots: number; text: string }> {
  const r = await runCli(['check', '--seed', c.seed, '--json', ...extra], { env });
  let openSlots = -1;
  try {
    const j = JSON.parse(r.stdout) as { problems: Array<{ kind: string; slots?: number[] }> };
    openSlots = j.problems.filter((p) => p.kind === 'open-slot').reduce((a, p) => a + (p.slots?.length ?? 1), 0);
  } catch {
    // Left at -1: the assertion on the code shows the output.
  }
  return { code: r.code, openSlots, text: r.stdout + r.stderr };
}

/** Wait until `check` is clean (gossip settles after a failover or a restart). */
export async function waitClean(c: LocalCluster, timeoutMs = 30_000): Promise<{ code: number | null; openSlots: number; text: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await checkCluster(c);
    if (r.code === 0 || Date.now() > deadline) return r;
    await sleep(500);
  }
}

/** When the suite started: sample TTLs (about an hour) have run down by at most this much since. */
const suiteStarted = Date.now();

/** A TTL lower than loaded only by the time the suite has run: the key is intact. */
function ttlOnlyAged(problem: string): boolean {
  const m = /^ttl (-?\d+), expected about (\d+)$/.exec(problem);
  if (!m) return false;
  const [ttl, expected] = [Number(m[1]), Number(m[2])];
  return ttl > 0 && ttl <= expected && ttl >= expected - (Date.now() - suiteStarted) / 1000 - 130;
}

/**
 * The end of every scenario: `check` clean, every pre-loaded key with its value and TTL, every
 * acknowledged write, no wrong read. Records the figures for the suite summary.
 */
export async function verifyScenario(
  c: LocalCluster,
  traffic: Traffic,
  base: Pick<ScenarioFigures, 'scenario' | 'seed' | 'iterations' | 'faults' | 'note'>,
  keys: number,
  /**
   * Reads that may see a key missing for a moment: when a source fails over mid-migration, Redis
   * does not replicate MIGRATING, so keys already moved are invisible until the move is finished.
   * Still counted and reported; the keys themselves must all be there at the end.
   */
  allowBadReads = false,
): Promise<void> {
  const stats = await traffic.stop();
  const check = await waitClean(c);
  const mismatches = (await verifySampleKeys([c.seed], { count: keys })).filter((m) => !ttlOnlyAged(m.problem));
  const acked = await traffic.verify();
  traffic.close();
  recordScenario({
    ...base,
    keysVerified: keys,
    writesVerified: acked.checked,
    readsChecked: stats.reads,
    lost: mismatches.length + acked.missing,
    badReads: stats.badReads.length,
    openSlotsLeft: Math.max(0, check.openSlots),
  });
  process.stdout.write(
    `[faults] ${base.scenario}: ${stats.writes} writes acked (${stats.writeErrors} errors), ${stats.reads} reads (${stats.readErrors} errors, ${stats.badReads.length} wrong), ${mismatches.length + acked.missing} lost\n`,
  );
  expect(check.code, check.text).toBe(0);
  expect(check.openSlots).toBe(0);
  expect(mismatches.slice(0, 5)).toEqual([]);
  expect(acked.missing).toBe(0);
  expect(acked.checked).toBeGreaterThan(0);
  if (!allowBadReads) expect(stats.badReads.slice(0, 5)).toEqual([]);
}
