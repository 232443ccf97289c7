import type { Cursor } from './cursor.js';
import { EncodingError, type Visit } from './decode/encoding-error.js';

/** Rethrow an error from a blob decoder as a format error at the string that holds the blob. */
export function blobError(c: Cursor, error: unknown, at: number): never {
  if (error instanceof EncodingError) c.fail(error.message, at);
  throw error;
}

/**
 * A string holding a compact encoding (listpack, ziplist, intset, zipmap). Without `deep` or a
 * visitor it is only stepped over (the write pass trusts what the validation pass checked); with
 * `deep` it is decompressed and walked; with a visitor its elements are handed out.
 */
export function readBlob(c: Cursor, deep: boolean, walk: (blob: Buffer, visit?: Visit) => number, visit?: Visit): number {
  if (!deep && !visit) {
    c.skipString(false);
    return -1;
  }
  const at = c.offset;
  const blob = c.string();
  try {
    return walk(blob, visit);
  } catch (error) {
    return blobError(c, error, at);
  }
}
