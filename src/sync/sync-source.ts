import { join } from 'node:path';
import { OperationError, UnreachableError } from '../errors.js';
import { ImportRun } from '../import/import-run.js';
import type { PreparedRdbImport } from '../import/rdb-targets.js';
import { RdbKeyWriter } from '../import/rdb-writer.js';
import { RdbParser } from '../rdb/parser.js';
import { formatAddr, type ConnectionOptions, type HostPort } from '../redis/connection.js';
import { errorLine } from '../redis/errors.js';
import type { CommandTable } from './command-table.js';
import { PsyncRefusedError } from './errors.js';
import type { SourcePhase, SourceStatus, SyncEvent } from './events.js';
import { lagOf, type SourcePosition } from './lag.js';
import { ReplicaLink } from './replica-link.js';
import type { KeyFilter } from './route-command.js';
import { ApplyCounters, StreamApplier, type ApplyTarget } from './stream-applier.js';
import { StreamBuffer } from './stream-buffer.js';
import { fullSyncTimes, type FullSyncClock } from './time-model.js';
import { sleep } from '../util/sleep.js';

/** Where a re-run continues: everything up to `offset` of `replid`'s stream is in the cluster, in database `db`. */
export interface Checkpoint {
  readonly replid: string;
  readonly offset: number;
  readonly db: number;
}

export interface SourceOptions {
  readonly addr: HostPort;
  readonly conn: ConnectionOptions;
  readonly resume: Checkpoint | null;
  readonly db: number;
  readonly match: string | null;
  readonly matchFilter: KeyFilter | null;
  readonly replace: boolean;
  readonly allowFlush: boolean;
  readonly clusterSource: boolean;
  readonly prep: PreparedRdbImport;
  readonly applyTargets: ReadonlyMap<string, ApplyTarget>;
  readonly table: CommandTable;
  readonly getKeys: (args: readonly Buffer[]) => Promise<Buffer[]>;
  /** Where the stream spills past `bufferBytes` in memory. */
  readonly spillDir: string;
  readonly bufferBytes: number;
  readonly batch: number;
  readonly inFlight: number;
  /** How long a lost source is retried before the run gives up. */
  readonly reconnectTimeoutMs: number;
  readonly emit: (e: SyncEvent) => void;
}

/** Snapshot progress events at most this often. */
const PROGRESS_MS = 500;
/** A primary drops a replica that has not ACKed for repl-timeout (60 s): once a second, as Redis does. */
const ACK_MS = 1000;

/**
 * One source primary, replicated into the cluster: connect as its replica, take the snapshot of a
 * full resync through the RDB reader into the cluster (RdbKeyWriter: as import --rdb) while the
 * stream after it waits in a StreamBuffer, then apply the stream (StreamApplier), ACKing the applied
 * offset. A lost link is resumed from the checkpoint (partial resync; a full one when the backlog no
 * longer holds it) until `reconnectTimeoutMs` passes.
 */
export class SourceSync {
  readonly addr: string;
  phase: SourcePhase = 'connecting';
  replid: string | null = null;
  /** The source's own offset, as the run's poller last read it. */
  masterOffset: number | null = null;
  readonly counters = new ApplyCounters();
  /** Snapshot figures of the latest full sync. */
  rdbBytes = 0;
  rdbTotal: number | null = null;
  keys = 0;
  clock: FullSyncClock | null = null;
  /** T_request estimate (ms), set by the poller. */
  requestMs: number | null = null;
  readonly #o: SourceOptions;
  #link: ReplicaLink | null = null;
  #applier: StreamApplier | null = null;
  #buffer: StreamBuffer | null = null;
  #writer: RdbKeyWriter | null = null;
  #stopping = false;
  /** The last checkpoint: where a reconnect (or a re-run) continues. */
  #checkpoint: Checkpoint | null;
  /** Received offset when the snapshot was loaded: once applied, the replay is over. */
  #replayUntil: number | null = null;
  /** Whether this run (or the journal) put keys of this source in the cluster: a new full sync then replaces them. */
  #wrote: boolean;
  spilledBefore = 0;

  constructor(options: SourceOptions) {
    this.#o = options;
    this.addr = formatAddr(options.addr);
    this.#checkpoint = options.resume;
    this.#wrote = options.resume !== null;
  }

  /** The resume point now: the applied offset of the current stream. */
  checkpoint(): Checkpoint | null {
    const a = this.#applier;
    if (a && this.replid) return { replid: this.replid, offset: a.watermark.offset, db: a.watermark.db };
    return this.#checkpoint;
  }

  get receivedOffset(): number {
    return this.#link?.receivedOffset ?? this.#checkpoint?.offset ?? 0;
  }

  get appliedOffset(): number {
    return this.#applier?.watermark.offset ?? this.#checkpoint?.offset ?? 0;
  }

  get streaming(): boolean {
    return this.phase === 'streaming';
  }

  /** When `masterOffset` was read, and since when this source streams: an offset read before then says nothing about being in sync. */
  masterOffsetAt = 0;
  #streamingSince = Number.POSITIVE_INFINITY;

  /** The figures lag and cut-over decisions take (lag.ts). */
  position(): SourcePosition {
    const fresh = this.masterOffsetAt > this.#streamingSince;
    return { addr: this.addr, masterOffset: fresh ? this.masterOffset : null, receivedOffset: this.receivedOffset, appliedOffset: this.appliedOffset, oldestReceivedAt: this.#applier?.watermark.oldestReceivedAt ?? null, streaming: this.streaming };
  }

  #enterStreaming(now: number): void {
    this.phase = 'streaming';
    this.#streamingSince = now;
  }

  /** Called by the run's clock: the replay ends once the stream buffered during the snapshot is applied. */
  tick(now: number): void {
    if (this.phase === 'replay' && this.#replayUntil !== null && this.appliedOffset >= this.#replayUntil) {
      this.#enterStreaming(now);
      if (this.clock) this.clock = { ...this.clock, caughtUpAt: now };
    }
  }

  status(now: number): SourceStatus {
    const lag = lagOf({ ...this.position(), masterOffset: this.masterOffset }, now);
    const e = this.counters.execute;
    return {
      source: this.addr,
      phase: this.phase,
      replid: this.replid,
      masterOffset: this.masterOffset,
      receivedOffset: this.receivedOffset,
      appliedOffset: this.appliedOffset,
      lagBytes: lag.bytes,
      lagSeconds: lag.seconds,
      rdbBytes: this.rdbBytes,
      rdbTotal: this.rdbTotal,
      keys: this.keys,
      commands: this.counters.commands,
      skipped: this.counters.skipped,
      splitTransactions: this.counters.splitTransactions,
      bufferedBytes: this.#buffer?.bytes ?? 0,
      spilledBytes: this.spilledBefore + (this.#buffer?.spilledBytes ?? 0),
      executeP50Ms: e.quantile(0.5),
      executeP99Ms: e.quantile(0.99),
      requestMs: this.requestMs,
    };
  }

  /** Stop: the link closes, what was sent to the cluster is acknowledged, `run` returns. */
  stop(): void {
    this.#stopping = true;
    this.#applier?.halt();
    this.#link?.close();
  }

  /** Replicate until stopped; throws what ends the run (refusal, a stop in the stream, a lost source). */
  async run(): Promise<void> {
    let lostSince: number | null = null;
    let linked = false;
    while (!this.#stopping) {
      this.phase = lostSince === null ? 'connecting' : 'reconnecting';
      const asked = this.#checkpoint;
      const psyncAt = Date.now();
      let opened: Awaited<ReturnType<typeof ReplicaLink.open>>;
      try {
        opened = await ReplicaLink.open(this.#o.addr, this.#o.conn, asked);
      } catch (error) {
        if (error instanceof PsyncRefusedError || (!linked && error instanceof UnreachableError)) throw error;
        lostSince ??= Date.now();
        if (Date.now() - lostSince > this.#o.reconnectTimeoutMs) throw new OperationError(`${this.addr} could not be reached again within ${Math.round(this.#o.reconnectTimeoutMs / 1000)} s (${errorLine(error)}); re-run with the same --journal to continue`);
        await sleep(1000);
        continue;
      }
      const { link, early } = opened;
      const reply = link.reply;
      if (reply.kind === 'retry' || reply.kind === 'refused') {
        link.close();
        lostSince ??= Date.now();
        if (Date.now() - lostSince > this.#o.reconnectTimeoutMs) throw new OperationError(`${this.addr} did not accept PSYNC within ${Math.round(this.#o.reconnectTimeoutMs / 1000)} s (${reply.reason})`);
        await sleep(1000);
        continue;
      }
      linked = true;
      lostSince = null;
      this.#link = link;
      if (this.#stopping) {
        link.close();
        break;
      }
      let lost: string | null;
      if (reply.kind === 'full') {
        const reason = asked ? `the source cannot continue from offset ${asked.offset + 1} of ${asked.replid.slice(0, 8)}… (its backlog no longer holds it, or its replication id changed): a full sync, keys already copied are present or replaced by the source's value; a key the source deleted meanwhile stays in the cluster` : null;
        this.#o.emit({ type: 'psync', t: Date.now(), source: this.addr, kind: 'full', replid: reply.replid, offset: reply.offset, asked: asked ? asked.offset + 1 : null, reason });
        this.replid = reply.replid;
        lost = await this.#fullSync(link, early, reply.offset, psyncAt);
      } else {
        this.replid = reply.replid ?? asked!.replid;
        this.#o.emit({ type: 'psync', t: Date.now(), source: this.addr, kind: 'continue', replid: this.replid, offset: asked!.offset, asked: asked!.offset + 1, reason: null });
        this.#enterStreaming(Date.now());
        lost = await this.#stream(link, early, asked!.offset, asked!.db, null);
      }
      this.#link = null;
      if (this.#stopping) break;
      this.#o.emit({ type: 'link-lost', t: Date.now(), source: this.addr, reason: lost ?? 'closed' });
      lostSince = Date.now();
      await sleep(1000);
    }
    this.phase = 'stopped';
    this.#streamingSince = Number.POSITIVE_INFINITY;
  }

  /**
   * A full resync: the snapshot into the cluster, then the stream that followed it. Returns why
   * the link ended (null when stopped).
   */
  async #fullSync(link: ReplicaLink, early: Buffer, offset: number, psyncAt: number): Promise<string | null> {
    this.phase = 'full-sync';
    this.rdbBytes = 0;
    this.rdbTotal = null;
    this.keys = 0;
    this.#applier = null;
    this.clock = { psyncAt, transferAt: null, receivedAt: null, loadedAt: null, caughtUpAt: null };
    const buffer = this.#newBuffer();
    const importRun = new ImportRun();
    let failure: string | null = null;
    importRun.subscribe((e) => {
      if (e.type === 'conflict') this.#o.emit({ type: 'conflict', t: e.t, key: e.key, master: e.master });
      if (e.type === 'stopping') failure ??= e.message;
      if (e.type === 'batch-failed') failure ??= e.reason;
    });
    const writer = new RdbKeyWriter(this.#o.prep, importRun, { db: this.#o.db, match: this.#o.match, replace: this.#o.replace || this.#wrote, batch: this.#o.batch, inFlight: this.#o.inFlight }, {
      afterBatch: () => (this.keys = writer.totals.restored + writer.totals.alreadyPresent),
    });
    this.#writer = writer;
    this.#wrote = true;
    let parser: RdbParser | null = null;
    let lastProgress = 0;
    let closedWith: string | null = null;
    let snapshotDone!: (ok: boolean) => void;
    const received = new Promise<boolean>((r) => (snapshotDone = r));
    let ackTimer: NodeJS.Timeout | null = null;
    link.start(
      {
        snapshotStart: (h) => {
          this.clock = { ...this.clock!, transferAt: Date.now() };
          this.rdbTotal = h.kind === 'length' ? h.bytes : null;
          parser = new RdbParser({ totalBytes: this.rdbTotal ?? undefined });
        },
        snapshotBytes: async (chunk) => {
          if (importRun.stoppedBy) throw new Error(failure ?? 'the snapshot write stopped');
          this.rdbBytes += chunk.length;
          await writer.add(parser!.push(chunk));
          const now = Date.now();
          if (now - lastProgress >= PROGRESS_MS) {
            lastProgress = now;
            this.#o.emit({ type: 'full-sync-progress', t: now, source: this.addr, rdbBytes: this.rdbBytes, rdbTotal: this.rdbTotal, keys: this.keys, expired: writer.totals.expired });
          }
        },
        snapshotEnd: () => {
          this.clock = { ...this.clock!, receivedAt: Date.now() };
          // A diskless primary puts its replica online (and starts the stream) on its first ACK.
          link.ack(offset);
          ackTimer = setInterval(() => link.ack(this.#applier?.watermark.offset ?? offset), ACK_MS);
          snapshotDone(true);
        },
        streamBytes: (chunk) => buffer.append(chunk),
        closed: (reason) => {
          closedWith = reason;
          buffer.end(reason);
          snapshotDone(false);
        },
      },
      early,
    );
    try {
      const complete = await received;
      if (complete) {
        try {
          await writer.add(parser!.end());
        } catch (error) {
          failure ??= errorLine(error);
        }
      }
      await writer.finish();
      if (failure || importRun.stoppedBy) throw new OperationError(`${this.addr}: the snapshot could not be written: ${failure ?? 'stopped'}`);
      if (!complete) return closedWith;
      const loadedAt = Date.now();
      this.clock = { ...this.clock!, loadedAt };
      const t = writer.totals;
      this.keys = t.restored + t.alreadyPresent;
      this.#o.emit({ type: 'full-sync-done', t: loadedAt, source: this.addr, keys: t.restored, present: t.alreadyPresent, expired: t.expired, reencoded: t.reencoded, times: fullSyncTimes(this.clock!) });
      this.phase = 'replay';
      return await this.#stream(link, Buffer.alloc(0), offset, 0, buffer, true);
    } finally {
      if (ackTimer) clearInterval(ackTimer);
      this.#writer = null;
    }
  }

  /** Apply the stream from `offset` (in database `db`) until the link ends; returns why (null when stopped). */
  async #stream(link: ReplicaLink, early: Buffer, offset: number, db: number, given: StreamBuffer | null, started = false): Promise<string | null> {
    const buffer = given ?? this.#newBuffer();
    let ackTimer: NodeJS.Timeout | null = null;
    const applier = new StreamApplier({ source: this.addr, wantDb: this.#o.db, table: this.#o.table, slotOwners: this.#o.prep.slotOwners, targets: this.#o.applyTargets, match: this.#o.matchFilter, allowFlush: this.#o.allowFlush, clusterSource: this.#o.clusterSource, getKeys: this.#o.getKeys, onGetAck: () => link.ack(applier.watermark.offset) }, offset, db, this.counters);
    this.#applier = applier;
    if (this.phase === 'replay') this.#replayUntil = link.receivedOffset;
    if (!started) {
      link.start({ snapshotStart: () => undefined, snapshotBytes: async () => undefined, snapshotEnd: () => undefined, streamBytes: (chunk) => buffer.append(chunk), closed: (reason) => buffer.end(reason) }, early);
      ackTimer = setInterval(() => link.ack(applier.watermark.offset), ACK_MS);
      link.ack(offset);
    }
    try {
      await applier.run(buffer);
      this.#checkpoint = this.checkpoint();
      return this.#stopping ? null : (buffer.endReason ?? 'the link closed');
    } finally {
      if (ackTimer) clearInterval(ackTimer);
      link.close();
      this.spilledBefore += buffer.spilledBytes;
      buffer.close();
      this.#buffer = null;
    }
  }

  #newBuffer(): StreamBuffer {
    this.#buffer?.close();
    this.#buffer = new StreamBuffer(this.#o.bufferBytes, join(this.#o.spillDir, `sync-${process.pid}-${this.addr.replace(/[^\w.-]/g, '_')}.spill`));
    return this.#buffer;
  }
}
