/**
 * A compact encoding (listpack, ziplist, intset, zipmap) is malformed. `at` is the offset inside the
 * blob; the reader turns it into an RdbFormatError at the string that holds the blob (the blob may
 * have been LZF-compressed, so its own offsets are not file offsets).
 */
export class EncodingError extends Error {
  override readonly name = 'EncodingError';
  constructor(
    readonly encoding: string,
    readonly at: number,
    readonly reason: string,
  ) {
    super(`${encoding}: ${reason} at byte ${at} of the ${encoding}`);
  }
}

/** Receives each element of a blob in order; integers arrive as their decimal text. */
export type Visit = (item: Buffer) => void;

/** An integer element as the text a client reads back (GET/LRANGE answer integers as text). */
export function intText(v: number | bigint): Buffer {
  return Buffer.from(String(v), 'latin1');
}
