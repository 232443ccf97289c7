import { closeSync, ftruncateSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';

/** Spill reads come back in pieces of this size (a pass of the applier). */
const SPILL_READ_BYTES = 1 << 20;

/**
 * The stream bytes received and not yet applied, in order: in memory up to `capBytes`, then
 * appended to a spill file, read back in order. The replica link never stops reading its socket
 * (a primary drops a replica whose output buffer passes its limit, and then only a full sync is
 * left), so whatever the applier has not taken yet waits here: during the full sync the whole
 * stream, later any backlog the cluster has not absorbed. Once the file is drained it is emptied and
 * memory is used again. Synchronous file I/O: chunks of 64 KiB, tens of microseconds each.
 */
export class StreamBuffer {
  readonly #capBytes: number;
  readonly #spillPath: string;
  /** In-memory chunks, oldest first: all older than anything in the file. */
  #mem: Buffer[] = [];
  #memBytes = 0;
  /** The spill file while it holds bytes: appended at #writePos, read from #readPos. */
  #fd: number | null = null;
  #writePos = 0;
  #readPos = 0;
  /** Bytes ever spilled, for the report. */
  spilledBytes = 0;
  /** Wakes a waiting `take`. */
  #wake: (() => void) | null = null;
  #ended = false;

  constructor(capBytes: number, spillPath: string) {
    this.#capBytes = capBytes;
    this.#spillPath = spillPath;
  }

  /** Bytes held (memory and file). */
  get bytes(): number {
    return this.#memBytes + (this.#writePos - this.#readPos);
  }

  get spilling(): boolean {
    return this.#writePos > this.#readPos;
  }

  append(chunk: Buffer): void {
    if (!chunk.length) return;
    if (this.spilling || this.#memBytes + chunk.length > this.#capBytes) {
      this.#fd ??= openSync(this.#spillPath, 'w+', 0o600);
      writeSync(this.#fd, chunk, 0, chunk.length, this.#writePos);
      this.#writePos += chunk.length;
      this.spilledBytes += chunk.length;
    } else {
      this.#mem.push(chunk);
      this.#memBytes += chunk.length;
    }
    this.#wake?.();
  }

  /** Why the bytes ended (the link's reason), once they did. */
  endReason: string | null = null;

  /** No more bytes will come (the link closed): `take` returns null once the rest is taken. */
  end(reason = 'ended'): void {
    this.endReason ??= reason;
    this.#ended = true;
    this.#wake?.();
  }

  /** The next bytes in order, without waiting; null when nothing is held. */
  takeNow(): Buffer | null {
    const chunk = this.#mem.shift();
    if (chunk) {
      this.#memBytes -= chunk.length;
      return chunk;
    }
    if (!this.spilling) return null;
    const out = Buffer.allocUnsafe(Math.min(SPILL_READ_BYTES, this.#writePos - this.#readPos));
    const n = readSync(this.#fd!, out, 0, out.length, this.#readPos);
    this.#readPos += n;
    if (this.#readPos === this.#writePos) {
      // Drained: start the file over so it does not grow for the whole run.
      ftruncateSync(this.#fd!, 0);
      this.#readPos = this.#writePos = 0;
    }
    return out.subarray(0, n);
  }

  /** The next bytes, waiting for them; null once ended and drained. */
  async take(): Promise<Buffer | null> {
    for (;;) {
      const chunk = this.takeNow();
      if (chunk) return chunk;
      if (this.#ended) return null;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = null;
    }
  }

  /** Close and delete the spill file. */
  close(): void {
    if (this.#fd === null) return;
    closeSync(this.#fd);
    this.#fd = null;
    try {
      unlinkSync(this.#spillPath);
    } catch {
      // already gone
    }
  }
}
