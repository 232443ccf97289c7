import type { Redis } from 'ioredis';
import { CapacityWatch } from '../executor/capacity-watch.js';
import { evicts } from '../planner/capacity.js';
import { parseInfo } from '../redis/info.js';
import { errorLine } from '../redis/errors.js';
import { formatBytes } from '../util/format.js';
import type { SourceStatus, SyncEvent, SyncHandle, SyncSummary } from './events.js';
import { decideCutover, isInSync, type SourcePosition } from './lag.js';
import type { PreparedSync } from './preflight.js';
import { SourceSync, type SourceOptions } from './sync-source.js';
import { fullSyncTimes } from './time-model.js';

export interface SyncOptions extends Pick<SourceOptions, 'db' | 'match' | 'matchFilter' | 'replace' | 'allowFlush' | 'spillDir' | 'bufferBytes' | 'batch' | 'inFlight' | 'reconnectTimeoutMs'> {
  readonly mode: 'run' | 'exit-when-synced' | 'cutover';
  /** The whole cut-over (waiting for a small lag, then for the paused offsets), ms. */
  readonly cutoverTimeoutMs: number;
  /** How long the source's writes stay paused after the cut-over succeeded, ms. */
  readonly cutoverPauseMs: number;
  readonly journal: string;
}

/** Source offsets and lag are read this often (and `lag` events sent). */
const POLL_MS = 1000;
/**
 * Checkpoints this often: a SIGKILL re-applies what the cluster acknowledged after the last one
 * written (the journal flushes checkpoints at once).
 */
const CHECKPOINT_MS = 100;
/** Cut-over and in-sync decisions this often. */
const TICK_MS = 20;
/** Targets' memory and evictions this often. */
const CAPACITY_MS = 500;

const stat = (m: Map<string, string>, k: string): number => Number(m.get(k) ?? 0);

/**
 * Run a sync `prepareSync` checked: one SourceSync per source primary, in parallel; the sources'
 * offsets polled for lag; the targets' memory watched (an eviction is a loss: the run stops, exit
 * 1); and, by mode, exit once in sync, or cut over (pause the sources' writes once the lag is
 * small, wait until what they acknowledged is applied). Emits events, never prints.
 */
export function startSync(prep: PreparedSync, options: SyncOptions): SyncHandle {
  const listeners = new Set<(e: SyncEvent) => void>();
  // Kept for a listener that subscribes late (the screen opens after a dynamic import, the metrics
  // after their server listens): without it, it would never learn the sources and the seed.
  let start: SyncEvent | null = null;
  const emit = (e: SyncEvent): void => {
    if (e.type === 'sync-start') start = e;
    for (const l of listeners) l(e);
  };
  const sources = prep.sources.map(
    (s) =>
      new SourceSync({ ...options, addr: s.addr, conn: prep.fromConnection, resume: prep.resume.get(s.name) ?? null, clusterSource: prep.clusterSource, prep: prep.targets, applyTargets: prep.applyTargets, table: prep.table, getKeys: s.getKeys, emit }),
  );
  const started = Date.now();
  let stoppedBy: SyncSummary['stoppedBy'] = null;
  let reason: string | null = null;
  let firstError: unknown = null;
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const stop = (why: NonNullable<SyncSummary['stoppedBy']>, message: string | null): void => {
    if (stoppedBy) return;
    stoppedBy = why;
    if (why === 'failure' || why === 'conflict') reason = message;
    if (message) emit({ type: 'stopping', t: Date.now(), message });
    for (const s of sources) s.stop();
    finish();
  };

  const watch = new CapacityWatch();
  let evicted = 0;
  const lastCheckpoint = new Map<string, string>();
  const received = new Map<string, { at: number; offset: number }>();
  let synced = false;
  const cut: { startedAt: number | null; pausedAt: Map<string, number> | null; pausedSince: number } = { startedAt: null, pausedAt: null, pausedSince: 0 };
  const positions = (): SourcePosition[] => sources.map((s) => s.position());

  const writeCheckpoints = (): void => {
    for (const s of sources) {
      const c = s.checkpoint();
      if (!c) continue;
      const key = `${c.replid}:${c.offset}:${c.db}`;
      if (lastCheckpoint.get(s.addr) === key) continue;
      lastCheckpoint.set(s.addr, key);
      emit({ type: 'checkpoint', t: Date.now(), source: s.addr, ...c });
    }
  };

  async function poll(): Promise<void> {
    const now = Date.now();
    await Promise.all(
      sources.map(async (s, i) => {
        const askedAt = Date.now();
        const info = parseInfo(await (await prep.sources[i]!.ready()).info('replication'));
        s.masterOffset = stat(info, 'master_repl_offset');
        s.masterOffsetAt = askedAt;
        const before = received.get(s.addr);
        const rate = before && now > before.at ? ((s.receivedOffset - before.offset) * 1000) / (now - before.at) : 0;
        received.set(s.addr, { at: now, offset: s.receivedOffset });
        const gap = Math.max(0, s.masterOffset - s.receivedOffset);
        s.requestMs = s.streaming ? (gap === 0 ? 0 : rate > 0 ? (gap / rate) * 1000 : null) : null;
      }),
    );
    for (const s of sources) emit({ type: 'lag', t: now, ...s.status(now) });
    writeCheckpoints();
  }

  async function watchCapacity(): Promise<void> {
    await Promise.all(
      [...prep.targets.targets.values()].map(async (t) => {
        const info = parseInfo(`${await t.client.info('memory')}\n${await t.client.info('stats')}`);
        const alarms = watch.observe(t.addr, { used: stat(info, 'used_memory'), max: stat(info, 'maxmemory'), policy: info.get('maxmemory_policy') ?? null, evicted: stat(info, 'evicted_keys'), expired: stat(info, 'expired_keys') });
        for (const a of alarms) {
          const message =
            a.kind === 'evicted'
              ? `${a.node} evicted ${a.keys} keys (maxmemory-policy ${a.policy}): they are lost from the cluster; stopping`
              : `${a.node} is at ${formatBytes(a.used)} of its maxmemory ${formatBytes(a.max)} (maxmemory-policy ${a.policy ?? 'noeviction'}): ${evicts(a.policy) ? 'it will evict keys, and the run stops when it does' : 'writes will fail with OOM, and the run stops when one does'}`;
          emit({ type: 'capacity', t: Date.now(), alarm: a, message });
          if (a.kind === 'evicted') {
            evicted += a.keys;
            stop('failure', message);
          }
        }
      }),
    );
  }

  async function pauseSources(): Promise<void> {
    const ms = options.cutoverTimeoutMs + options.cutoverPauseMs;
    await Promise.all(prep.sources.map(async (s) => (await s.ready()).call('CLIENT', 'PAUSE', String(ms), 'WRITE')));
    cut.pausedSince = Date.now();
    const offsets = new Map<string, number>();
    await Promise.all(
      prep.sources.map(async (s, i) => {
        const off = stat(parseInfo(await (await s.ready()).info('replication')), 'master_repl_offset');
        offsets.set(sources[i]!.addr, off);
        sources[i]!.masterOffset = off;
        sources[i]!.masterOffsetAt = Date.now();
      }),
    );
    cut.pausedAt = offsets;
    emit({ type: 'cutover', t: Date.now(), stage: 'paused', offsets: Object.fromEntries(offsets), pausedMs: 0, message: `source writes paused (CLIENT PAUSE ${ms} WRITE); waiting until the cluster has applied offset${sources.length > 1 ? 's' : ''} ${[...offsets.values()].join(', ')}` });
  }

  async function unpause(): Promise<void> {
    await Promise.all(prep.sources.map((s) => s.ready().then((c) => c.call('CLIENT', 'UNPAUSE')).catch(() => undefined)));
    emit({ type: 'cutover', t: Date.now(), stage: 'unpaused', offsets: {}, pausedMs: Date.now() - cut.pausedSince, message: 'source writes resumed (CLIENT UNPAUSE)' });
  }

  /** In-sync and cut-over decisions; returns false once the run is over. */
  let busy = false;
  async function tick(): Promise<void> {
    if (busy || stoppedBy) return;
    busy = true;
    try {
      const now = Date.now();
      for (const s of sources) s.tick(now);
      const pos = positions();
      if (!synced && pos.every(isInSync)) {
        synced = true;
        emit({ type: 'synced', t: now, offsets: Object.fromEntries(sources.map((s) => [s.addr, s.appliedOffset])) });
        if (options.mode === 'exit-when-synced') return stop('synced', null);
      }
      if (options.mode !== 'cutover' || !pos.every((p) => p.streaming)) return;
      if (cut.startedAt === null) {
        cut.startedAt = now;
        emit({ type: 'cutover', t: now, stage: 'waiting', offsets: {}, pausedMs: 0, message: 'cut-over: waiting until every source lags less than 1 s and 1 MB' });
      }
      const step = decideCutover(pos, { startedAt: cut.startedAt, pausedAt: cut.pausedAt }, now, options.cutoverTimeoutMs);
      if (step.kind === 'pause') await pauseSources();
      else if (step.kind === 'in-sync') {
        const offsets = Object.fromEntries(cut.pausedAt!);
        const pausedMs = Date.now() - cut.pausedSince;
        const at = sources.length === 1 ? `offset ${sources[0]!.appliedOffset}` : `offsets ${sources.map((s) => `${s.addr} ${s.appliedOffset}`).join(', ')}`;
        emit({ type: 'cutover', t: Date.now(), stage: 'in-sync', offsets, pausedMs, message: `in sync at ${at}; source writes paused for ${(pausedMs / 1000).toFixed(1)} s — point clients at the cluster` });
        writeCheckpoints();
        stop('cutover', null);
      } else if (step.kind === 'timeout') {
        if (cut.pausedAt) await unpause();
        stop('failure', `cut-over did not complete within ${Math.round(options.cutoverTimeoutMs / 1000)} s: ${step.reason}${cut.pausedAt ? '; source writes were resumed' : ''}`);
      }
    } catch (error) {
      stop('failure', `cut-over failed: ${errorLine(error)}`);
      if (cut.pausedAt) await unpause();
    } finally {
      busy = false;
    }
  }

  async function work(): Promise<SyncSummary> {
    emit({ type: 'sync-start', t: started, seed: prep.targets.seed, from: prep.from, sources: sources.map((s) => s.addr), db: options.db, match: options.match, masters: Object.fromEntries([...prep.targets.targets.values()].map((t) => [t.id, t.addr])), journal: options.journal, mode: options.mode, estimate: prep.estimate });
    const timers = [
      setInterval(() => void poll().catch(() => undefined), POLL_MS),
      setInterval(() => void tick(), TICK_MS),
      setInterval(writeCheckpoints, CHECKPOINT_MS),
      setInterval(() => void watchCapacity().catch(() => undefined), CAPACITY_MS),
    ];
    const runs = sources.map((s) =>
      s.run().then(
        () => undefined,
        (error: unknown) => {
          firstError ??= error;
          stop(/already exists in the cluster/.test(errorLine(error)) ? 'conflict' : 'failure', errorLine(error));
        },
      ),
    );
    void poll().catch(() => undefined);
    void watchCapacity().catch(() => undefined);
    await finished;
    await Promise.all(runs);
    for (const t of timers) clearInterval(t);
    await poll().catch(() => undefined);
    writeCheckpoints();
    const now = Date.now();
    const summary: SyncSummary = {
      stoppedBy,
      failed: stoppedBy === 'failure' || stoppedBy === 'conflict',
      reason,
      sources: sources.map((s) => ({ ...s.status(now), times: s.clock ? fullSyncTimes(s.clock) : null })),
      evicted,
      ms: now - started,
    };
    emit({ type: 'sync-end', t: now, summary });
    return summary;
  }

  const done = new Promise<void>((r) => setImmediate(r)).then(work).finally(() => prep.close());
  return {
    subscribe: (l) => {
      if (start && !listeners.has(l)) l(start);
      listeners.add(l);
      return () => listeners.delete(l);
    },
    interrupt: () => stop('signal', 'interrupted: applying what was sent, then writing the checkpoint; Ctrl-C again to quit at once'),
    done,
    failure: () => firstError,
  };
}

/** A source primary being synced, with a client for INFO, COMMAND GETKEYS and CLIENT PAUSE. */
export interface SyncSourceNode {
  readonly name: string;
  readonly addr: { readonly host: string; readonly port: number };
  /** The current client (replaced by `ready` after the source was lost). */
  client: Redis;
  /** The client, connected again if it was lost. */
  ready(): Promise<Redis>;
  readonly getKeys: (args: readonly Buffer[]) => Promise<Buffer[]>;
}

export type { SourceStatus };
