import type { Socket } from 'node:net';
import { UnreachableError } from '../errors.js';
import type { ConnectionOptions, HostPort } from '../redis/connection.js';
import { encodeCommand, PipeConnection } from '../redis/pipe-connection.js';
import { PsyncRefusedError } from './errors.js';
import { handshakeCommands, parseBulkHeader, parsePsyncReply, psyncCommand, SnapshotFramer, type BulkHeader, type PsyncReply } from './handshake.js';

/** What the link hands on, in the order the primary sends it. */
export interface LinkSink {
  /** A full resync begins: the snapshot's framing is known. */
  snapshotStart(header: BulkHeader): void;
  /** Snapshot bytes; the socket is paused until the promise settles (the snapshot is not buffered). */
  snapshotBytes(chunk: Buffer): Promise<void>;
  /** The last snapshot byte arrived; the command stream follows (the sink must not hold it up). */
  snapshotEnd(): void;
  /** Command stream bytes: taken at once, never paused (see StreamBuffer). */
  streamBytes(chunk: Buffer): void;
  /** The link is gone (the primary closed it, the network, or `close()`), with the reason. */
  closed(reason: string): void;
}

/**
 * slotpilot as a replica of one primary: the handshake (AUTH, PING and REPLCONF on a PipeConnection,
 * then PSYNC on the raw socket), the snapshot of a full resync cut out of the bytes (SnapshotFramer),
 * then the command stream, and `REPLCONF ACK <offset>` on the way back, which is what the primary's
 * `INFO replication` shows as this replica's offset and what `WAIT` counts.
 */
export class ReplicaLink {
  readonly addr: string;
  readonly reply: PsyncReply;
  readonly #socket: Socket;
  /** Bytes of the command stream received: the replication offset of the last one. */
  receivedOffset: number;
  #closed = false;
  /** Who takes the bytes, once started: told when the link ends, whoever ends it. */
  #sink: LinkSink | null = null;

  private constructor(addr: string, socket: Socket, reply: PsyncReply, startOffset: number) {
    this.addr = addr;
    this.#socket = socket;
    this.reply = reply;
    this.receivedOffset = startOffset;
  }

  /**
   * Connect and ask for the stream from `resume` (or a full sync). Resolves with the primary's
   * answer once it is known; `start(sink)` then takes the bytes. A primary that refuses PSYNC or
   * REPLCONF (managed services do) is PsyncRefusedError, naming what it said.
   */
  static async open(addr: HostPort, conn: ConnectionOptions, resume: { readonly replid: string; readonly offset: number } | null): Promise<{ link: ReplicaLink; early: Buffer }> {
    const pipe = await PipeConnection.open(addr, conn, 'slotpilot-sync');
    let socket: Socket | null = null;
    try {
      for (const command of handshakeCommands(pipe.localPort)) {
        await pipe.call(...command).catch((error: Error) => {
          throw new PsyncRefusedError(pipe.addr, `${command.slice(0, 2).join(' ')}: ${error.message.split('\n')[0]}`);
        });
      }
      socket = pipe.detach();
      const { line, rest } = await readLine(socket, pipe.addr);
      const reply = parsePsyncReply(line);
      if (reply.kind === 'refused') throw new PsyncRefusedError(pipe.addr, `PSYNC: ${reply.reason}`);
      const start = reply.kind === 'full' ? reply.offset : (resume?.offset ?? 0);
      return { link: new ReplicaLink(pipe.addr, socket, reply, start), early: rest };
    } catch (error) {
      (socket ?? undefined)?.destroy();
      pipe.destroy();
      throw error;
    }

    /** Send PSYNC and read its one-line answer (keepalive newlines before it are skipped). */
    async function readLine(s: Socket, where: string): Promise<{ line: string; rest: Buffer }> {
      s.write(encodeCommand(psyncCommand(resume)));
      return lineFrom(s, where, Buffer.alloc(0));
    }
  }

  /**
   * Take the bytes: for a full resync the snapshot (framed by its `$` line) then the stream; for a
   * partial resync the stream at once. `early`: bytes that arrived with the PSYNC answer.
   */
  start(sink: LinkSink, early: Buffer): void {
    const s = this.#socket;
    let framer: SnapshotFramer | null = null;
    let chain = Promise.resolve();
    /** Bytes of the `$` line received so far. */
    let pending: Buffer = Buffer.alloc(0);
    this.#sink = sink;
    const fail = (reason: string): void => this.#end(reason);
    const stream = (chunk: Buffer): void => {
      if (!chunk.length) return;
      this.receivedOffset += chunk.length;
      sink.streamBytes(chunk);
    };
    /** Before the snapshot: find its `$` line (after keepalive newlines). */
    const header = (chunk: Buffer): Buffer | null => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let i = 0;
      while (i < pending.length && pending[i] === 0x0a) i++;
      const eol = pending.indexOf('\r\n', i);
      if (eol < 0) {
        pending = pending.subarray(i);
        return null;
      }
      const line = pending.subarray(i, eol).toString('latin1');
      const h = parseBulkHeader(line);
      if (!h) throw new Error(`unexpected answer before the snapshot: ${JSON.stringify(line.slice(0, 80))}`);
      framer = new SnapshotFramer(h);
      sink.snapshotStart(h);
      const rest = pending.subarray(eol + 2);
      pending = Buffer.alloc(0);
      return rest;
    };
    const take = async (chunk: Buffer): Promise<void> => {
      if (this.reply.kind !== 'full') return stream(chunk);
      if (framer?.done) return stream(chunk);
      let bytes: Buffer | null = chunk;
      if (!framer) bytes = header(chunk);
      if (!bytes || !framer) return;
      const { rdb, rest } = (framer as SnapshotFramer).push(bytes);
      if (rdb.length) await sink.snapshotBytes(rdb);
      if (rest) {
        sink.snapshotEnd();
        stream(rest);
      }
    };
    const onData = (chunk: Buffer): void => {
      if (this.reply.kind === 'full' && !(framer as SnapshotFramer | null)?.done) {
        // The snapshot goes at the writer's pace: pause the socket until this chunk is written.
        s.pause();
        chain = chain
          .then(() => take(chunk))
          .then(
            () => {
              if (!this.#closed) s.resume();
            },
            (error: unknown) => fail((error as Error).message ?? String(error)),
          );
        return;
      }
      // Stream bytes keep their order behind a snapshot chunk still being written.
      chain = chain.then(() => stream(chunk));
    };
    s.on('data', onData);
    s.on('error', (error) => fail(error.message));
    s.on('close', () => fail(`the connection was closed by ${this.addr}`));
    pending = Buffer.alloc(0);
    if (early.length) onData(early);
    s.resume();
  }

  /** Tell the primary how far this replica got (it shows as the replica's offset; WAIT counts it). */
  ack(offset: number): void {
    if (!this.#closed) this.#socket.write(encodeCommand(['REPLCONF', 'ACK', String(offset)]));
  }

  close(): void {
    this.#end('closed by slotpilot');
  }

  #end(reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.destroy();
    this.#sink?.closed(reason);
  }
}

/** Read one CRLF-terminated line (skipping the keepalive newlines a primary sends while it prepares). */
function lineFrom(s: Socket, where: string, start: Buffer): Promise<{ line: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = start;
    const timer = setTimeout(() => done(new UnreachableError(where, 'no answer to PSYNC within 60 s')), 60_000);
    const done = (error: Error | null, value?: { line: string; rest: Buffer }): void => {
      clearTimeout(timer);
      s.off('data', onData);
      s.off('error', onError);
      s.off('close', onClose);
      if (error) reject(error);
      else {
        s.pause();
        resolve(value!);
      }
    };
    const onData = (chunk: Buffer): void => {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let i = 0;
      while (i < buf.length && buf[i] === 0x0a) i++;
      const eol = buf.indexOf('\r\n', i);
      if (eol >= 0) done(null, { line: buf.subarray(i, eol).toString('latin1'), rest: buf.subarray(eol + 2) });
    };
    const onError = (error: Error): void => done(new UnreachableError(where, error.message));
    const onClose = (): void => done(new UnreachableError(where, 'the connection was closed during PSYNC'));
    s.on('data', onData);
    s.on('error', onError);
    s.on('close', onClose);
    s.resume();
  });
}
