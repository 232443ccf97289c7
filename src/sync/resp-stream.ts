import { SyncStopError } from './errors.js';

/** One command of a primary's replication stream, as it arrived. */
export interface StreamCommand {
  /** The arguments, name first (views into the received bytes: binary-safe, not copied). */
  readonly args: readonly Buffer[];
  /** The name, lower case (`set`, `multi`, `replconf`). */
  readonly name: string;
  /** The command's own RESP bytes, to forward unchanged. */
  readonly raw: Buffer;
  /** The replication offset once this command is processed (the primary's offset counts every byte). */
  readonly offset: number;
}

const CR = 0x0d;
const STAR = 0x2a;
const DOLLAR = 0x24;

/**
 * Cuts a replication stream into commands, each with the offset it ends at. A primary sends its
 * commands as RESP arrays of bulk strings (a replica's client never sees inline commands), so this
 * reads only that, and refuses anything else naming the byte offset: a byte out of place means the
 * stream and this reader no longer agree, and applying further would be guessing. Chunks may end
 * anywhere; a command split between chunks waits for the rest. Pure.
 */
export class RespStreamParser {
  /** Bytes received and not yet cut into commands. */
  #buf: Buffer = Buffer.alloc(0);
  /** Replication offset of the byte before #buf[0]. */
  #base: number;

  constructor(startOffset: number) {
    this.#base = startOffset;
  }

  /** Offset of the last byte cut into a command. */
  get offset(): number {
    return this.#base;
  }

  /** Bytes held while a command is incomplete. */
  get pendingBytes(): number {
    return this.#buf.length;
  }

  push(chunk: Buffer): StreamCommand[] {
    const buf = this.#buf.length ? Buffer.concat([this.#buf, chunk]) : chunk;
    const out: StreamCommand[] = [];
    let pos = 0;
    for (;;) {
      const end = this.#command(buf, pos, out);
      if (end < 0) break;
      pos = end;
    }
    this.#base += pos;
    this.#buf = pos === buf.length ? Buffer.alloc(0) : buf.subarray(pos);
    return out;
  }

  /** Parse one command at `pos`: its end, or -1 when the bytes stop inside it. */
  #command(buf: Buffer, pos: number, out: StreamCommand[]): number {
    if (pos >= buf.length) return -1;
    if (buf[pos] !== STAR) this.#fail(pos, `expected a RESP array ('*'), got byte ${buf[pos]}`);
    const head = this.#number(buf, pos + 1);
    if (!head) return -1;
    const [count, afterHead] = head;
    if (count < 1) this.#fail(pos, `an array of ${count} elements is not a command`);
    const args: Buffer[] = new Array(count);
    let at = afterHead;
    for (let i = 0; i < count; i++) {
      if (at >= buf.length) return -1;
      if (buf[at] !== DOLLAR) this.#fail(at, `expected a bulk string ('$'), got byte ${buf[at]}`);
      const len = this.#number(buf, at + 1);
      if (!len) return -1;
      const [n, start] = len;
      if (n < 0) this.#fail(at, 'a null bulk string in a command');
      if (start + n + 2 > buf.length) return -1;
      args[i] = buf.subarray(start, start + n);
      at = start + n + 2;
    }
    out.push({ args, name: args[0]!.toString('latin1').toLowerCase(), raw: buf.subarray(pos, at), offset: this.#base + at });
    return at;
  }

  /** The decimal number after a type byte and the position after its CRLF, or null if incomplete. */
  #number(buf: Buffer, from: number): [number, number] | null {
    let n = 0;
    let i = from;
    const neg = buf[i] === 0x2d;
    if (neg) i++;
    for (; i < buf.length; i++) {
      const c = buf[i]!;
      if (c === CR) {
        if (i + 1 >= buf.length) return null;
        return [neg ? -n : n, i + 2];
      }
      if (c < 0x30 || c > 0x39 || i - from > 18) this.#fail(i, `a malformed length (byte ${c})`);
      n = n * 10 + (c - 0x30);
    }
    return null;
  }

  #fail(at: number, reason: string): never {
    throw new SyncStopError('(stream)', this.#base + at + 1, `the replication stream is not RESP as expected: ${reason}`);
  }
}

/** RESP of one command from its arguments (for the parts of a command split by slot). */
export function encodeArgs(args: readonly Buffer[]): Buffer {
  let size = 1 + String(args.length).length + 2;
  for (const a of args) size += 1 + String(a.length).length + 2 + a.length + 2;
  const out = Buffer.allocUnsafe(size);
  let at = out.write(`*${args.length}\r\n`, 0, 'latin1');
  for (const a of args) {
    at += out.write(`$${a.length}\r\n`, at, 'latin1');
    at += a.copy(out, at);
    out[at++] = 0x0d;
    out[at++] = 0x0a;
  }
  return out;
}
