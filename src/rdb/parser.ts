import { Crc64 } from './crc64.js';
import { Cursor, NEED_MORE } from './cursor.js';
import { RdbKey, type RdbEntry } from './entries.js';
import { RdbFormatError, RdbUnsupportedError } from './errors.js';
import { moduleTypeName, skipModuleValue } from './read-module.js';
import { readValue } from './read-value.js';
import { skipValue } from './skip-value.js';
import { MAX_REDIS_RDB_VERSION, MIN_RDB_VERSION, OPCODE, typeInfo, VALKEY_RDB_VERSION, type RdbFlavor } from './types.js';

export interface ParserOptions {
  /** Check inside every compact encoding and decompress every LZF string (the validation pass). */
  readonly deep?: boolean;
  /** Total bytes of the input when known (a file's size, a `$<len>` transfer): a read past it is truncation. */
  readonly totalBytes?: number;
}

/**
 * A streaming RDB reader: `push` bytes as they arrive (from a file, or a socket after the
 * replication framing), get back the entries complete so far; `end` when the input ends. Each entry
 * is parsed from the bytes buffered so far; when they end inside it, the parser keeps the entry's
 * bytes and waits until at least twice as many have arrived (or the exact amount a length asked
 * for), so a large value costs linear time and memory is the largest entry plus one chunk.
 * The CRC-64 of everything before the trailer is computed on the way and checked against it.
 */
export class RdbParser {
  readonly #deep: boolean;
  /** Where the input ends (known up front for a file, at `end()` otherwise). */
  #limit: number;
  /** Bytes received and not yet parsed: #buf from #pos, then #pending. */
  #buf: Buffer = Buffer.alloc(0);
  #pos = 0;
  /** Absolute offset of #buf[0]. */
  #base = 0;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Absolute offset the buffered bytes must reach before parsing is tried again. */
  #need = 0;
  readonly #crc = new Crc64();
  #state: 'header' | 'body' | 'checksum' | 'done' = 'header';
  #version = 0;
  #flavor: RdbFlavor = 'redis';
  #db = 0;
  /** How values are read in the deep pass (one object, not one per key). */
  #how = { flavor: 'redis' as RdbFlavor, deep: true, decode: false };
  /** One cursor, moved over each new buffer (a cursor per entry would be a million allocations). */
  #cursor: Cursor;

  constructor(options: ParserOptions = {}) {
    this.#deep = options.deep ?? false;
    this.#limit = options.totalBytes ?? Number.POSITIVE_INFINITY;
    this.#cursor = new Cursor(this.#buf, 0, 0, true, this.#limit, 'the input');
  }

  /** Bytes parsed into entries so far. */
  get offset(): number {
    return this.#base + this.#pos;
  }

  get done(): boolean {
    return this.#state === 'done';
  }

  get version(): number {
    return this.#version;
  }

  get flavor(): RdbFlavor {
    return this.#flavor;
  }

  push(chunk: Buffer): RdbEntry[] {
    if (this.#state === 'done') {
      if (chunk.length) throw new RdbFormatError(this.#base + this.#buf.length + this.#pendingBytes, `${chunk.length} more bytes after the end of the RDB`);
      return [];
    }
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    if (this.#base + this.#buf.length + this.#pendingBytes < this.#need) return [];
    return this.#run();
  }

  /** The input ended: parse what is left; anything short of EOF and its checksum is truncation. */
  end(): RdbEntry[] {
    this.#limit = this.#base + this.#buf.length + this.#pendingBytes;
    const out = this.#state === 'done' && !this.#pendingBytes ? [] : this.#run();
    if (this.#state !== 'done') {
      const at = this.#base + this.#pos;
      throw new RdbFormatError(this.#limit, at === this.#limit ? 'truncated: the input ends before the EOF marker' : `truncated: the input ends inside the entry that starts at byte ${at}`);
    }
    return out;
  }

  #run(): RdbEntry[] {
    const rest = this.#buf.subarray(this.#pos);
    this.#base += this.#pos;
    this.#buf = rest.length ? Buffer.concat([rest, ...this.#pending]) : this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    this.#pos = 0;
    this.#pending = [];
    this.#pendingBytes = 0;
    const c = this.#cursor;
    (c as { base: number }).base = this.#base;
    (c as { limit: number }).limit = this.#limit;
    c.buf = this.#buf;
    const out: RdbEntry[] = [];
    /** The CRC is updated once per call, over all that was parsed (one call per entry cost 12% of the read). */
    let crcFrom = this.#pos;
    while (this.#state !== 'done') {
      const start = this.#pos;
      c.pos = start;
      if (this.#state === 'checksum' && crcFrom < start) {
        // Everything before the trailer is in the checksum, and nothing after it.
        this.#crc.update(this.#buf, crcFrom, start);
        crcFrom = start;
      }
      let entry: RdbEntry | null;
      try {
        entry = this.#step(c);
      } catch (error) {
        if (error !== NEED_MORE) throw error;
        // Wait for the exact bytes the failed read wanted, and at least twice what this entry has now.
        this.#need = Math.min(this.#limit, Math.max(c.wanted, this.#base + start + 2 * (this.#buf.length - start)));
        break;
      }
      this.#pos = c.pos;
      if (entry) out.push(entry);
    }
    if ((this.#state as string) !== 'done' && crcFrom < this.#pos) this.#crc.update(this.#buf, crcFrom, this.#pos);
    if ((this.#state as string) === 'done' && this.#pos < this.#buf.length) {
      throw new RdbFormatError(this.#base + this.#pos, `${this.#buf.length - this.#pos} more bytes after the end of the RDB`);
    }
    return out;
  }

  #step(c: Cursor): RdbEntry | null {
    if (this.#state === 'header') return this.#header(c);
    if (this.#state === 'checksum') return this.#checksum(c);
    const offset = c.offset;
    const op = c.u8();
    switch (op) {
      case OPCODE.AUX:
        return { kind: 'aux', offset, key: c.string(), value: c.string() };
      case OPCODE.SELECTDB:
        this.#db = c.len();
        return { kind: 'select-db', offset, db: this.#db };
      case OPCODE.RESIZEDB:
        return { kind: 'resize-db', offset, keys: c.len(), expires: c.len() };
      case OPCODE.SLOT_INFO:
        return { kind: 'slot-info', offset, slot: c.len(), keys: c.len(), expires: c.len() };
      case OPCODE.FUNCTION2:
        return { kind: 'function', offset, code: c.string() };
      case OPCODE.FUNCTION_PRE_GA:
        throw new RdbUnsupportedError(offset, null, 'functions saved by a Redis 7.0 release candidate (pre-GA format) cannot be read');
      case OPCODE.MODULE_AUX: {
        const module = moduleTypeName(c.lenBig());
        if (c.len() !== 2) c.fail('module AUX without its "when" field');
        c.len();
        skipModuleValue(c);
        return { kind: 'module-aux', offset, module };
      }
      case OPCODE.EOF:
        this.#state = 'checksum';
        return null;
      default:
        if (op === OPCODE.SLOT_IMPORT && this.#flavor === 'valkey') {
          const job = c.string();
          const ranges: [number, number][] = [];
          for (let n = c.len(); n > 0; n--) ranges.push([c.len(), c.len()]);
          return { kind: 'slot-import', offset, job, ranges };
        }
        return this.#key(c, offset, op);
    }
  }

  #header(c: Cursor): RdbEntry {
    // Say "not an RDB" for a short file that does not even start like one, rather than "truncated".
    const start = c.buf.subarray(c.pos, c.pos + 6).toString('latin1');
    if (!'REDIS'.startsWith(start.slice(0, 5)) && !'VALKEY'.startsWith(start)) throw new RdbFormatError(0, `not an RDB file (it starts with ${JSON.stringify(start.slice(0, 5))}, not "REDIS" or "VALKEY")`);
    const head = c.bytes(9).toString('latin1');
    const valkey = head.startsWith('VALKEY');
    if (!valkey && !head.startsWith('REDIS')) {
      throw new RdbFormatError(0, `not an RDB file (it starts with ${JSON.stringify(head.slice(0, 5))}, not "REDIS" or "VALKEY")`);
    }
    const digits = head.slice(valkey ? 6 : 5);
    const version = /^\d+$/.test(digits) ? Number(digits) : Number.NaN;
    if (valkey ? version !== VALKEY_RDB_VERSION : !(version >= MIN_RDB_VERSION && version <= MAX_REDIS_RDB_VERSION)) {
      throw new RdbFormatError(valkey ? 6 : 5, `RDB version ${JSON.stringify(digits)} (${valkey ? 'Valkey' : 'Redis'}) is not one this reader takes (Redis ${MIN_RDB_VERSION}–${MAX_REDIS_RDB_VERSION}, Valkey ${VALKEY_RDB_VERSION})`);
    }
    this.#version = version;
    this.#flavor = valkey ? 'valkey' : 'redis';
    this.#how = { flavor: this.#flavor, deep: true, decode: false };
    this.#state = 'body';
    return { kind: 'header', offset: 0, version, flavor: this.#flavor };
  }

  #checksum(c: Cursor): RdbEntry {
    const offset = c.offset;
    const checksum = Buffer.from(c.bytes(8));
    this.#state = 'done';
    const disabled = checksum.every((b) => b === 0);
    const computed = this.#crc.digest();
    if (!disabled && !computed.equals(checksum)) {
      throw new RdbFormatError(offset, `checksum mismatch (the file says ${checksum.toString('hex')}, its bytes give ${computed.toString('hex')}): the file is corrupt`);
    }
    return { kind: 'eof', offset, checksum, checksumChecked: !disabled };
  }

  /** A key: its optional expiry / idle / freq opcodes, type byte, name and value. */
  #key(c: Cursor, offset: number, first: number): RdbKey {
    let op = first;
    let expireAt: number | null = null;
    let idle: number | null = null;
    let freq: number | null = null;
    for (;;) {
      if (op === OPCODE.EXPIRETIME_MS) expireAt = c.i64le();
      else if (op === OPCODE.EXPIRETIME) {
        c.need(4);
        expireAt = c.buf.readInt32LE(c.pos) * 1000;
        c.pos += 4;
      } else if (op === OPCODE.IDLE) idle = c.len();
      else if (op === OPCODE.FREQ) freq = c.u8();
      else break;
      op = c.u8();
    }
    const info = typeInfo(op, this.#flavor);
    if (!info) c.fail(`unknown opcode or value type ${op}`, c.offset - 1);
    if (this.#flavor === 'redis' && info.since > this.#version) c.fail(`value type ${op} (${info.kind}, ${info.encoding}) appeared in RDB ${info.since}, this file is RDB ${this.#version}`, c.offset - 1);
    // A raw name is kept as its position (a view only if asked for); an encoded one is decoded now.
    const at = c.pos;
    const n = c.lenOrEncoding();
    const keyStart = c.pos;
    let key: Buffer | null = null;
    if (n >= 0) c.skip(n);
    else {
      c.pos = at;
      key = c.string();
    }
    const valueStart = c.pos;
    if (this.#deep) readValue(c, op, this.#how);
    else skipValue(c, op, this.#flavor);
    return new RdbKey(offset, this.#db, op, c.buf, key, keyStart, valueStart, c.pos, c.base + valueStart, expireAt, idle, freq);
  }
}
