import type { PipeConnection } from '../redis/pipe-connection.js';
import { errorLine } from '../redis/errors.js';
import type { CommandTable } from './command-table.js';
import { SyncStopError } from './errors.js';
import { RespStreamParser, type StreamCommand } from './resp-stream.js';
import { describeCommand, routeByKeys, routeCommand, type KeyFilter, type Route, type SlotPart } from './route-command.js';
import type { StreamBuffer } from './stream-buffer.js';
import { LatencyHistogram } from './time-model.js';
import { planTransaction } from './transaction.js';
import { Watermark, type Unit } from './watermark.js';

/** A master the stream is applied to, with its raw connection (one FIFO pipeline per master). */
export interface ApplyTarget {
  readonly addr: string;
  readonly pipe: PipeConnection;
}

export interface ApplierOptions {
  readonly source: string;
  readonly wantDb: number;
  readonly table: CommandTable;
  /** Master id per slot, and each master's connection. */
  readonly slotOwners: readonly string[];
  readonly targets: ReadonlyMap<string, ApplyTarget>;
  readonly match: KeyFilter | null;
  /** FLUSHALL / FLUSHDB of the synced database are applied (as FLUSHALL on every master) only when given. */
  readonly allowFlush: boolean;
  /** The source is one master of a cluster: a flush there empties only its slots, which no command here can mirror. */
  readonly clusterSource: boolean;
  /** COMMAND GETKEYS on the source, for commands key specs cannot place. */
  readonly getKeys: (args: readonly Buffer[]) => Promise<Buffer[]>;
  /** The primary asked for an ACK (REPLCONF GETACK) and everything before it is applied. */
  readonly onGetAck: () => void;
}

/** Counts of one source's stream, across its links. */
export class ApplyCounters {
  commands = 0;
  skipped = 0;
  splitTransactions = 0;
  /** T_execute: from a unit's arrival to its last acknowledgement. */
  readonly execute = new LatencyHistogram();
}

/** Units in flight before the applier stops taking stream bytes (they wait in the StreamBuffer). */
const MAX_UNITS_IN_FLIGHT = 50_000;
/** A master's pipeline is sent once this many bytes are queued for it (else at the end of each chunk). */
const FLUSH_BYTES = 1 << 20;

/** One command (or transaction) sent to a master, waiting for its replies. */
interface PartRef {
  readonly unit: Unit;
  /** Replies it gets: 1, or MULTI + commands + EXEC. */
  readonly count: number;
  readonly cmd: StreamCommand;
}

const FLUSHALL = Buffer.from('*1\r\n$8\r\nFLUSHALL\r\n');

/**
 * Applies one source's command stream to the cluster: each command routed by the slot of its keys
 * (route-command.ts) to the master owning it, on one pipeline per master, so commands for one master
 * are applied in source order and masters proceed in parallel; MULTI … EXEC on one slot stays a
 * transaction there. The applied offset is the watermark over acknowledged units. Any reply error
 * from the cluster, or a command that cannot be applied, stops the run (SyncStopError) naming the
 * command and offset; nothing after it is applied.
 */
export class StreamApplier {
  readonly watermark: Watermark;
  /** What was applied, kept by the caller across links (a reconnect makes a new applier). */
  readonly counters: ApplyCounters;
  readonly #o: ApplierOptions;
  readonly #parser: RespStreamParser;
  /** The database the stream is in (SELECT). */
  #db: number;
  /** An open MULTI: its commands' parts so far, and the MULTI command. */
  #tx: { parts: SlotPart[]; commands: number } | null = null;
  /** Parts queued per master id for the next send. */
  #out = new Map<string, { raws: Buffer[]; refs: PartRef[]; count: number; bytes: number }>();
  #failure: SyncStopError | null = null;
  /** An ACK is due once the watermark reaches this offset (a GETACK's). */
  #ackAt: number | null = null;
  /** Wakes the reader when units in flight fall under the limit, or everything is acknowledged. */
  #drained: (() => void) | null = null;

  /** Set by `halt`: take no more stream bytes, finish what was sent. */
  #halted = false;

  constructor(options: ApplierOptions, startOffset: number, startDb: number, counters: ApplyCounters = new ApplyCounters()) {
    this.#o = options;
    this.counters = counters;
    this.#parser = new RespStreamParser(startOffset);
    this.watermark = new Watermark(startOffset, startDb);
    this.#db = startDb;
  }

  get failure(): SyncStopError | null {
    return this.#failure;
  }

  /**
   * Take the stream from `buffer` until it ends (the link closed) or a command stops the run; then
   * wait until everything sent is acknowledged. Throws the stop.
   */
  async run(buffer: StreamBuffer): Promise<void> {
    for (;;) {
      if (this.#failure || this.#halted) break;
      const chunk = await Promise.race([buffer.take(), this.#haltSignal]);
      if (!chunk) break;
      await this.#apply(chunk);
      if (this.watermark.inFlight > MAX_UNITS_IN_FLIGHT) await this.#waitUnder(MAX_UNITS_IN_FLIGHT / 2);
    }
    await this.idle();
    if (this.#failure) throw this.#failure;
  }

  /** Stop taking stream bytes (an interrupt): what was sent is still acknowledged before `run` returns. */
  halt(): void {
    this.#halted = true;
    this.#onHalt?.();
  }

  #onHalt: (() => void) | null = null;
  readonly #haltSignal = new Promise<null>((resolve) => (this.#onHalt = () => resolve(null)));

  /** Resolves once every pipeline sent has been answered (or has failed): after a stop too. */
  async idle(): Promise<void> {
    this.#flush();
    while (this.#outstanding > 0) await new Promise<void>((resolve) => (this.#answeredOne = resolve));
  }

  /** Pipelines sent and not yet answered, and who waits for the next answer. */
  #outstanding = 0;
  #answeredOne: (() => void) | null = null;

  async #apply(chunk: Buffer): Promise<void> {
    const now = Date.now();
    for (const cmd of this.#parser.push(chunk)) {
      if (this.#failure) return;
      let route = routeCommand(cmd, this.#o.table, this.#db, this.#o.wantDb, this.#o.match);
      if (route.kind === 'getkeys') route = await this.#askKeys(cmd);
      this.#take(cmd, route, now);
    }
    this.#flush();
  }

  /** Key positions the source names (COMMAND GETKEYS), for commands key specs cannot place. */
  async #askKeys(cmd: StreamCommand): Promise<Route> {
    let keys: Buffer[];
    try {
      keys = await this.#o.getKeys(cmd.args);
    } catch (error) {
      return { kind: 'stop', reason: `its keys cannot be found (COMMAND GETKEYS on the source: ${errorLine(error)})` };
    }
    const positions = keys.map((k) => cmd.args.findIndex((a, i) => i > 0 && a.equals(k))).filter((i) => i > 0);
    return routeByKeys(cmd, positions, this.#o.match);
  }

  #stop(cmd: StreamCommand, reason: string): void {
    this.#failure ??= new SyncStopError(describeCommand(cmd), cmd.offset, reason, this.#o.source);
  }

  #take(cmd: StreamCommand, route: Route, now: number): void {
    const tx = this.#tx;
    switch (route.kind) {
      case 'skip':
        this.counters.skipped++;
        if (!tx) this.watermark.add(cmd.offset, this.#db, 0, now);
        return;
      case 'getack':
        this.#ackAt = cmd.offset;
        this.watermark.add(cmd.offset, this.#db, 0, now);
        this.#maybeAck();
        return;
      case 'select':
        this.#db = route.db;
        if (!tx) this.watermark.add(cmd.offset, this.#db, 0, now);
        return;
      case 'multi':
        if (tx) return this.#stop(cmd, 'MULTI inside a transaction');
        this.#tx = { parts: [], commands: 0 };
        return;
      case 'exec': {
        if (!tx) return this.#stop(cmd, 'EXEC without MULTI (the stream does not start where a transaction starts)');
        this.#tx = null;
        const plan = planTransaction(tx.parts);
        if (plan.kind === 'empty') {
          this.watermark.add(cmd.offset, this.#db, 0, now);
          return;
        }
        this.counters.commands += tx.commands;
        if (plan.kind === 'atomic') {
          const unit = this.watermark.add(cmd.offset, this.#db, 1, now);
          this.#queue(this.#o.slotOwners[plan.slot]!, plan.raw, { unit, count: plan.commands, cmd });
          return;
        }
        if (new Set(plan.parts.map((p) => p.slot)).size > 1) this.counters.splitTransactions++;
        this.#send(cmd, plan.parts, now);
        return;
      }
      case 'keys':
        if (tx) {
          tx.parts.push(...route.parts);
          tx.commands++;
          return;
        }
        this.counters.commands++;
        this.#send(cmd, route.parts, now);
        return;
      case 'broadcast':
      case 'flush': {
        if (tx) return this.#stop(cmd, `${cmd.name.toUpperCase()} inside a transaction cannot be applied on every master at once`);
        if (route.kind === 'flush') {
          if (!this.#o.allowFlush) return this.#stop(cmd, 'it would empty the database; the run stops rather than flush the cluster (--allow-flush applies it as FLUSHALL on every master)');
          if (this.#o.clusterSource) return this.#stop(cmd, 'a flush on one master of a source cluster empties only its slots, which cannot be mirrored on the target');
        }
        const raw = route.kind === 'flush' ? FLUSHALL : route.raw;
        const owners = [...this.#o.targets.keys()];
        this.counters.commands++;
        const unit = this.watermark.add(cmd.offset, this.#db, owners.length, now);
        for (const id of owners) this.#queue(id, raw, { unit, count: 1, cmd });
        return;
      }
      case 'getkeys':
      case 'stop':
        return this.#stop(cmd, route.kind === 'stop' ? route.reason : 'its keys cannot be found');
    }
  }

  /** One unit made of `parts`, each to the master owning its slot. */
  #send(cmd: StreamCommand, parts: readonly SlotPart[], now: number): void {
    const unit = this.watermark.add(cmd.offset, this.#db, parts.length, now);
    for (const p of parts) this.#queue(this.#o.slotOwners[p.slot]!, p.raw, { unit, count: 1, cmd });
  }

  #queue(owner: string, raw: Buffer, ref: PartRef): void {
    let q = this.#out.get(owner);
    if (!q) this.#out.set(owner, (q = { raws: [], refs: [], count: 0, bytes: 0 }));
    q.raws.push(raw);
    q.refs.push(ref);
    q.count += ref.count;
    q.bytes += raw.length;
    if (q.bytes >= FLUSH_BYTES) this.#flushOne(owner, q);
  }

  #flush(): void {
    for (const [owner, q] of this.#out) this.#flushOne(owner, q);
  }

  #flushOne(owner: string, q: { raws: Buffer[]; refs: PartRef[]; count: number; bytes: number }): void {
    if (!q.refs.length) return;
    const target = this.#o.targets.get(owner)!;
    const refs = q.refs;
    const payload = q.raws.length === 1 ? q.raws[0]! : Buffer.concat(q.raws, q.bytes);
    const count = q.count;
    this.#out.set(owner, { raws: [], refs: [], count: 0, bytes: 0 });
    this.#outstanding++;
    target.pipe
      .callEncoded(payload, count)
      .then(
        (results) => this.#answered(target.addr, refs, results),
        (error: unknown) => {
          this.#stop(refs[0]!.cmd, `the connection to ${target.addr} failed: ${errorLine(error)}`);
          this.#wake();
        },
      )
      .finally(() => {
        this.#outstanding--;
        this.#answeredOne?.();
      });
  }

  #answered(addr: string, refs: readonly PartRef[], results: readonly [Error | null, unknown][]): void {
    const now = Date.now();
    let at = 0;
    for (const ref of refs) {
      const replies = results.slice(at, at + ref.count);
      at += ref.count;
      const bad = replies.find(([e]) => e)?.[0] ?? (ref.count > 1 ? execError(replies.at(-1)?.[1]) : null);
      if (bad) {
        this.#stop(ref.cmd, `${addr} answered: ${errorLine(bad)}`);
        continue;
      }
      this.watermark.done(ref.unit);
      if (ref.unit.pending <= 0) this.counters.execute.add(now - ref.unit.receivedAt);
    }
    this.#maybeAck();
    this.#wake();
  }

  #maybeAck(): void {
    if (this.#ackAt !== null && this.watermark.offset >= this.#ackAt) {
      this.#ackAt = null;
      this.#o.onGetAck();
    }
  }

  #waitUnder(n: number): Promise<void> {
    if (this.watermark.inFlight < n || this.#failure) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.#drained = () => {
        if (this.watermark.inFlight < n || this.#failure) {
          this.#drained = null;
          resolve();
        }
      };
    });
  }

  #wake(): void {
    this.#drained?.();
  }
}

/** An EXEC reply: an error in one of its commands, or null (aborted) — either way not what the source did. */
function execError(reply: unknown): Error | null {
  if (reply === null) return new Error('EXEC was aborted');
  if (Array.isArray(reply)) return (reply.find((r) => r instanceof Error) as Error | undefined) ?? null;
  return null;
}
