import type { RdbFlavor } from './types.js';

/** What the reader hands out, in file order; `offset` is where each starts in the file or stream. */

export interface RdbHeader {
  readonly kind: 'header';
  readonly offset: 0;
  readonly version: number;
  readonly flavor: RdbFlavor;
}

export interface RdbKeyEntry {
  readonly kind: 'key';
  /** Where the entry starts (its first expiry/idle/freq opcode, or its type byte). */
  readonly offset: number;
  readonly db: number;
  readonly type: number;
  readonly key: Buffer;
  /**
   * The value exactly as serialized after the key: with the type byte in front, the body of a DUMP
   * payload (a view into the reader's buffer: copy it to keep it past the next chunk's processing).
   */
  readonly value: Buffer;
  readonly valueOffset: number;
  /** Absolute expiry in ms, or null. */
  readonly expireAt: number | null;
  /** LRU idle seconds (IDLE opcode), LFU counter (FREQ opcode), when the server saved them. */
  readonly idle: number | null;
  readonly freq: number | null;
  /** Sizes of the name and the value, without making views of them. */
  readonly keyLength: number;
  readonly valueLength: number;
}

/**
 * A key entry whose name and value are views made only when asked for: most consumers look at a
 * few fields of most keys (the database, the expiry), and a view per key costs more than the parse.
 */
export class RdbKey implements RdbKeyEntry {
  readonly kind = 'key' as const;
  /** The reader's buffer and where the name and value lie in it. */
  readonly #buf: Buffer;
  readonly #keyStart: number;
  readonly #keyEnd: number;
  readonly #valueStart: number;
  readonly #valueEnd: number;
  /** A name that was not stored raw (integer- or LZF-encoded), decoded at once. */
  #key: Buffer | null;

  constructor(
    readonly offset: number,
    readonly db: number,
    readonly type: number,
    buf: Buffer,
    /** A decoded name, or null when it lies raw in `buf` from keyStart to valueStart. */
    key: Buffer | null,
    keyStart: number,
    valueStart: number,
    valueEnd: number,
    readonly valueOffset: number,
    readonly expireAt: number | null,
    readonly idle: number | null,
    readonly freq: number | null,
  ) {
    this.#buf = buf;
    this.#key = key;
    this.#keyStart = key ? 0 : keyStart;
    this.#keyEnd = key ? key.length : valueStart;
    this.#valueStart = valueStart;
    this.#valueEnd = valueEnd;
  }

  get key(): Buffer {
    return (this.#key ??= this.#buf.subarray(this.#keyStart, this.#keyEnd));
  }

  get value(): Buffer {
    return this.#buf.subarray(this.#valueStart, this.#valueEnd);
  }

  get keyLength(): number {
    return this.#keyEnd - this.#keyStart;
  }

  get valueLength(): number {
    return this.#valueEnd - this.#valueStart;
  }
}

export type RdbEntry =
  | RdbHeader
  | RdbKeyEntry
  | { readonly kind: 'aux'; readonly offset: number; readonly key: Buffer; readonly value: Buffer }
  | { readonly kind: 'select-db'; readonly offset: number; readonly db: number }
  | { readonly kind: 'resize-db'; readonly offset: number; readonly keys: number; readonly expires: number }
  | { readonly kind: 'slot-info'; readonly offset: number; readonly slot: number; readonly keys: number; readonly expires: number }
  | { readonly kind: 'slot-import'; readonly offset: number; readonly job: Buffer; readonly ranges: readonly (readonly [number, number])[] }
  | { readonly kind: 'function'; readonly offset: number; readonly code: Buffer }
  | { readonly kind: 'module-aux'; readonly offset: number; readonly module: string }
  | {
      readonly kind: 'eof';
      readonly offset: number;
      /** The 8-byte trailer; all zeros when the server saved with `rdbchecksum no` (nothing to check). */
      readonly checksum: Buffer;
      readonly checksumChecked: boolean;
    };
