/**
 * The replica side of Redis' replication handshake (replication.c syncWithMaster), as pure steps:
 * the commands a replica sends, what the primary's answers mean, and the framing of the snapshot
 * that follows a full resync. The I/O is in replica-link.ts.
 */

/** The commands before PSYNC, in order; each must be answered +OK (PING: +PONG or an auth error). */
export function handshakeCommands(listeningPort: number): string[][] {
  return [
    ['REPLCONF', 'listening-port', String(listeningPort)],
    // eof: a diskless snapshot may be sent ($EOF:<mark>); psync2: +CONTINUE may carry a new replid.
    ['REPLCONF', 'capa', 'eof', 'capa', 'psync2'],
  ];
}

/** Where to start: a new full sync (`PSYNC ? -1`) or a resume from an applied offset. */
export function psyncCommand(resume: { readonly replid: string; readonly offset: number } | null): string[] {
  return resume ? ['PSYNC', resume.replid, String(resume.offset + 1)] : ['PSYNC', '?', '-1'];
}

export type PsyncReply =
  /** A snapshot follows; the stream after it starts at `offset + 1`. */
  | { readonly kind: 'full'; readonly replid: string; readonly offset: number }
  /** The backlog holds the offset asked for: the stream continues from there (under a new replid after a failover). */
  | { readonly kind: 'continue'; readonly replid: string | null }
  /** Try again shortly (the primary is loading, or is itself not linked to its primary). */
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'refused'; readonly reason: string };

/** The primary's one-line answer to PSYNC. */
export function parsePsyncReply(line: string): PsyncReply {
  const full = /^\+FULLRESYNC ([0-9a-f]{40}) (\d+)$/i.exec(line);
  if (full) return { kind: 'full', replid: full[1]!, offset: Number(full[2]) };
  const cont = /^\+CONTINUE(?: ([0-9a-f]{40}))?$/i.exec(line);
  if (cont) return { kind: 'continue', replid: cont[1] ?? null };
  if (/^-(NOMASTERLINK|LOADING)/.test(line)) return { kind: 'retry', reason: line.slice(1) };
  return { kind: 'refused', reason: line.replace(/^[-+]/, '') || 'no answer' };
}

/** How the snapshot is framed: its length up front (from disk), or an end mark (diskless). */
export type BulkHeader = { readonly kind: 'length'; readonly bytes: number } | { readonly kind: 'eof'; readonly mark: Buffer };

/** The `$<len>` / `$EOF:<40 bytes>` line before the snapshot. */
export function parseBulkHeader(line: string): BulkHeader | null {
  const eof = /^\$EOF:(.{40})$/.exec(line);
  if (eof) return { kind: 'eof', mark: Buffer.from(eof[1]!, 'latin1') };
  const len = /^\$(\d+)$/.exec(line);
  return len ? { kind: 'length', bytes: Number(len[1]) } : null;
}

/**
 * Cuts a snapshot out of the bytes after its header: `push` returns the snapshot's bytes in this
 * chunk and, once it is complete, the bytes after it (the start of the command stream). A diskless
 * snapshot ends with its 40-byte mark, which may itself arrive split between chunks, so the last
 * 40 bytes are held back until the next chunk says whether they are the mark.
 */
export class SnapshotFramer {
  readonly #header: BulkHeader;
  /** Snapshot bytes still expected (length framing). */
  #left: number;
  /** Held-back tail that may be the start of the mark (eof framing). */
  #tail: Buffer = Buffer.alloc(0);
  done = false;
  /** Snapshot bytes passed on so far. */
  bytes = 0;

  constructor(header: BulkHeader) {
    this.#header = header;
    this.#left = header.kind === 'length' ? header.bytes : 0;
  }

  push(chunk: Buffer): { readonly rdb: Buffer; readonly rest: Buffer | null } {
    if (this.done) return { rdb: Buffer.alloc(0), rest: chunk };
    if (this.#header.kind === 'length') {
      const take = Math.min(this.#left, chunk.length);
      this.#left -= take;
      this.bytes += take;
      if (this.#left > 0) return { rdb: chunk, rest: null };
      this.done = true;
      return { rdb: chunk.subarray(0, take), rest: chunk.subarray(take) };
    }
    const mark = this.#header.mark;
    const all = this.#tail.length ? Buffer.concat([this.#tail, chunk]) : chunk;
    const at = all.indexOf(mark);
    if (at >= 0) {
      this.done = true;
      this.bytes += at;
      return { rdb: all.subarray(0, at), rest: all.subarray(at + mark.length) };
    }
    const keep = Math.min(all.length, mark.length - 1);
    this.#tail = Buffer.from(all.subarray(all.length - keep));
    this.bytes += all.length - keep;
    return { rdb: all.subarray(0, all.length - keep), rest: null };
  }
}
