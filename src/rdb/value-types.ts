/** A value read out of its encoding: what a client would read back with GET, LRANGE, HGETALL, … */

export interface HashField {
  readonly field: Buffer;
  readonly value: Buffer;
  /** Absolute expiry of this field in ms (hash-field expiry, Redis 7.4+ / Valkey 9), or null. */
  readonly expireAt: number | null;
}

export interface ZsetMember {
  readonly member: Buffer;
  readonly score: number;
}

export interface StreamEntry {
  /** `ms-seq`. */
  readonly id: string;
  /** field, value, field, value, … */
  readonly fields: readonly Buffer[];
}

export interface StreamGroup {
  readonly name: Buffer;
  readonly lastId: string;
  /** Entries delivered and not acknowledged (the group's PEL). */
  readonly pending: number;
  readonly consumers: readonly Buffer[];
}

export interface DecodedStream {
  readonly entries: readonly StreamEntry[];
  readonly length: number;
  readonly lastId: string;
  readonly groups: readonly StreamGroup[];
}

export type DecodedValue =
  | { readonly kind: 'string'; readonly value: Buffer }
  | { readonly kind: 'list'; readonly items: readonly Buffer[] }
  | { readonly kind: 'set'; readonly members: readonly Buffer[] }
  | { readonly kind: 'zset'; readonly members: readonly ZsetMember[] }
  | { readonly kind: 'hash'; readonly fields: readonly HashField[] }
  | { readonly kind: 'stream'; readonly stream: DecodedStream };
