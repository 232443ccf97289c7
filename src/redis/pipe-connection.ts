import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import RedisParser from 'redis-parser';
import { UnreachableError } from '../errors.js';
import { describeConnectError, formatAddr, tlsSocketOptions, type ConnectionOptions, type HostPort } from './connection.js';

/** Redis answers AUTH this way when it has no password: harmless. */
const NO_PASSWORD_CONFIGURED = /without any password configured|no password is set|default.*does not require/i;

/** One command in RESP: a string when every argument is one (the usual case), else a Buffer. */
export function encodeCommand(args: readonly (string | Buffer)[]): string | Buffer {
  if (args.every((a) => typeof a === 'string')) {
    let text = `*${args.length}\r\n`;
    for (const a of args as readonly string[]) text += `$${Buffer.byteLength(a)}\r\n${a}\r\n`;
    return text;
  }
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) {
    const b = typeof a === 'string' ? Buffer.from(a) : a;
    parts.push(Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n'));
  }
  return Buffer.concat(parts);
}

/** A reply waiting for its answer (Redis answers in the order commands were sent). */
interface Waiter {
  readonly resolve: (reply: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Parse the reply's bulk strings as Buffers (callBuffers), not as text. */
  readonly raw?: boolean;
}

/**
 * The executor's connection to one node: RESP over one socket, every command of an event-loop turn
 * written together in one `writev`, replies parsed by `redis-parser` (the parser ioredis uses).
 *
 * Why not ioredis here: a run sends about ten commands per slot (tens of thousands per rebalance),
 * and on the 2-core bench ioredis' per-command machinery (Command objects, auto-pipeline Pipeline
 * objects, the garbage they leave) cost the orchestrator more CPU than all Redis nodes together,
 * and the orchestrator's CPU is what paced the slots. Everything else (topology, checks, tools)
 * keeps ioredis.
 */
export class PipeConnection {
  readonly addr: string;
  readonly #socket: Socket;
  readonly #parser: RedisParser;
  /** Waiters, oldest first; `#head` skips answered ones without shifting the array each reply. */
  #waiting: Waiter[] = [];
  #head = 0;
  /** Commands encoded this turn, flushed together on the next immediate. */
  #out: (string | Buffer)[] = [];
  #flushing = false;
  /** Set once the socket is gone: later commands fail at once with it. */
  #closed: Error | null = null;
  /** When the last reply arrived (or the first command after a quiet spell went out): the watchdog's clock. */
  lastReplyAt = Date.now();

  private constructor(addr: string, socket: Socket) {
    this.addr = addr;
    this.#socket = socket;
    this.#parser = new RedisParser({
      returnReply: (reply: unknown) => this.#answer(reply, null),
      returnError: (error: Error) => this.#answer(null, error),
      returnFatalError: (error: Error) => this.#fail(new Error(`Connection is closed: protocol error from ${addr} (${error.message})`)),
    });
    socket.setNoDelay(true);
    // Error replies (an ASK to the close-time probe, a BUSYKEY) become Error objects in the parser; a
    // stack trace of the parser's own frames tells nobody anything and cost ~12 µs each.
    socket.on('data', (chunk: Buffer) => {
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        this.#parser.execute(chunk);
      } finally {
        Error.stackTraceLimit = limit;
      }
    });
    socket.on('error', (error) => this.#fail(new Error(`Connection is closed: ${describeConnectError(error)}`)));
    socket.on('close', () => this.#fail(new Error(`Connection is closed by ${addr}`)));
  }

  /** The local port of the socket (a replica announces one as its listening port). */
  get localPort(): number {
    return this.#socket.localPort ?? 0;
  }

  /**
   * Hand the socket over once no reply is awaited: after the replication handshake the bytes that
   * arrive are a snapshot and a command stream, not replies. The connection is closed for commands.
   */
  detach(): Socket {
    if (this.pending) throw new Error(`${this.pending} replies still awaited from ${this.addr}`);
    this.#socket.removeAllListeners('data');
    this.#socket.removeAllListeners('error');
    this.#socket.removeAllListeners('close');
    this.#closed = new Error(`Connection is closed (handed over to the replication link of ${this.addr})`);
    return this.#socket;
  }

  /** Replies still awaited. */
  get pending(): number {
    return this.#waiting.length - this.#head;
  }

  /**
   * Connect, authenticate, name the connection and PING. Failures are UnreachableError with a
   * one-line reason that never contains the password.
   */
  static async open(addr: HostPort, conn: ConnectionOptions, name: string): Promise<PipeConnection> {
    const where = formatAddr(addr);
    const timeoutMs = conn.connectTimeoutMs ?? 5000;
    let socket: Socket | undefined;
    try {
      socket = await new Promise<Socket>((resolve, reject) => {
        const s = conn.tls ? connectTls({ host: addr.host, port: addr.port, ...tlsSocketOptions(conn.tls) }) : connectTcp({ host: addr.host, port: addr.port });
        const timer = setTimeout(() => {
          s.destroy();
          reject(new Error('connection timed out'));
        }, timeoutMs);
        s.once(conn.tls ? 'secureConnect' : 'connect', () => {
          clearTimeout(timer);
          s.removeAllListeners('error');
          resolve(s);
        });
        s.once('error', (error) => {
          clearTimeout(timer);
          reject(error);
        });
      });
      const c = new PipeConnection(where, socket);
      if (conn.password) {
        await c.call(...(conn.user ? ['AUTH', conn.user, conn.password] : ['AUTH', conn.password])).catch((error: Error) => {
          if (!NO_PASSWORD_CONFIGURED.test(error.message)) throw error;
        });
      }
      await c.call('CLIENT', 'SETNAME', name).catch(() => undefined); // an ACL without CLIENT is fine
      await c.call('PING');
      return c;
    } catch (error) {
      socket?.destroy();
      throw new UnreachableError(where, describeConnectError(error));
    }
  }

  /** Send one command; resolves with the reply, rejects with the Redis error (message as Redis says it). */
  call(...args: readonly (string | Buffer)[]): Promise<unknown> {
    return this.#send(args, false);
  }

  /**
   * As `call`, with the reply's bulk strings as Buffers, bytes as the node holds them: key names are
   * binary-safe in Redis, and a name that is not UTF-8, decoded and encoded back, is another key in
   * another slot. Only this reply is parsed so (see #answer): text costs less per string.
   */
  callBuffers(...args: readonly (string | Buffer)[]): Promise<unknown> {
    return this.#send(args, true);
  }

  #send(args: readonly (string | Buffer)[], raw: boolean): Promise<unknown> {
    if (this.#closed) return Promise.reject(this.#closed);
    this.#queue(encodeCommand(args), raw);
    return new Promise((resolve, reject) => this.#waiting.push({ resolve, reject, raw }));
  }

  /**
   * Queue RESP for this turn's write. The first command after a quiet spell starts the watchdog's
   * clock and sets how its reply is parsed; later ones are set as replies come (see #answer).
   */
  #queue(part: string | Buffer, raw: boolean): void {
    if (this.pending === 0) {
      this.lastReplyAt = Date.now();
      this.#parser.setReturnBuffers(raw);
    }
    this.#out.push(part);
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(() => this.#flush());
    }
  }

  /**
   * Send `count` commands already encoded as RESP in one buffer (import writes a whole batch of
   * RESTOREs this way: building a command object per key cost more than the servers' work) and get
   * their replies in order, each `[error, reply]`: a Redis error answers its own command only; a
   * lost connection rejects the whole batch.
   */
  callEncoded(encoded: Buffer, count: number): Promise<[Error | null, unknown][]> {
    if (this.#closed) return Promise.reject(this.#closed);
    this.#queue(encoded, false);
    return new Promise((resolve, reject) => {
      const results: [Error | null, unknown][] = new Array(count);
      let left = count;
      let failed = false;
      const settle = (i: number, r: [Error | null, unknown]): void => {
        results[i] = r;
        if (--left === 0 && !failed) resolve(results);
      };
      if (!count) resolve(results);
      for (let i = 0; i < count; i++) {
        this.#waiting.push({
          resolve: (reply) => settle(i, [null, reply]),
          reject: (error) => {
            // A reply error (redis-parser's ReplyError) belongs to its command; anything else is the connection.
            if (error.name === 'ReplyError') return settle(i, [error, null]);
            if (!failed) reject(error);
            failed = true;
          },
        });
      }
    });
  }

  #flush(): void {
    this.#flushing = false;
    const out = this.#out;
    this.#out = [];
    if (this.#closed || !out.length) return;
    // One write for the whole turn: each write on loopback costs a syscall and wakes the node up, and
    // one joined string is far cheaper for Node than thousands of small chunks.
    if (out.every((part) => typeof part === 'string')) {
      this.#socket.write(out.join(''));
      return;
    }
    this.#socket.cork();
    for (const part of out) this.#socket.write(part);
    this.#socket.uncork();
  }

  #answer(reply: unknown, error: Error | null): void {
    this.lastReplyAt = Date.now();
    const w = this.#waiting[this.#head++];
    if (this.#head > 1024 && this.#head * 2 > this.#waiting.length) {
      this.#waiting = this.#waiting.slice(this.#head);
      this.#head = 0;
    }
    // Replies come one at a time from the parser, in the order of the commands: the next one is
    // parsed the way its command asked (text, or Buffers for callBuffers).
    const next = this.#waiting[this.#head];
    if (next) this.#parser.setReturnBuffers(next.raw === true);
    if (!w) return;
    if (error) w.reject(error);
    else w.resolve(reply);
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.#closed = error;
    this.#socket.destroy();
    const waiting = this.#waiting.slice(this.#head);
    this.#waiting = [];
    this.#head = 0;
    for (const w of waiting) w.reject(error);
  }

  /** Close at once; commands still waiting fail with `reason`. */
  destroy(reason = `Connection is closed (slotpilot closed the connection to ${this.addr})`): void {
    this.#fail(new Error(reason));
  }
}
