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
