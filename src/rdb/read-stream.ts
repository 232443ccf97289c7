import type { Cursor } from './cursor.js';
import type { ByteWriter } from './encode/writer.js';
import { blobError } from './read-blob.js';
import { decodeStreamNode } from './decode/stream-listpack.js';
import { walkListpack } from './decode/listpack.js';
import { TYPE } from './types.js';
import type { DecodedStream, StreamEntry, StreamGroup } from './value-types.js';

/** What to do while walking a stream besides validating it. */
export interface StreamWalk {
  /** Decompress and check every node's listpack. */
  readonly deep: boolean;
  /** Decode entries and groups into the result. */
  readonly decode: boolean;
  /** Copy the value into `to`, leaving out what stream types newer than `toType` added. */
  readonly downgrade?: { readonly writer: ByteWriter; readonly toType: number };
}

const id = (ms: bigint, seq: bigint): string => `${ms}-${seq}`;

/**
 * Walk a stream value (types 15, 19, 21; rdb.c rdbLoadObject): the nodes (a 16-byte id and a
 * listpack each), length and last id; since type 19 the first id, the largest deleted id and the
 * entries ever added, and per group the entries read; since type 21 each consumer's active time.
 * Groups carry their PEL (id, delivery time, delivery count) and consumers their own PEL ids.
 * One walk serves validation, decoding and the byte-exact downgrade an older server needs.
 */
export function walkStream(c: Cursor, type: number, how: StreamWalk): DecodedStream | null {
  const entries: StreamEntry[] = [];
  const groups: StreamGroup[] = [];
  const down = how.downgrade;
  let mark = c.pos;
  /** Copy what was read since the last mark (if this part exists in the target type). */
  const keep = (since: number = TYPE.STREAM_LISTPACKS): void => {
    if (down && down.toType >= since) down.writer.raw(c.buf.subarray(mark, c.pos));
    mark = c.pos;
  };
  const nodes = c.len();
  for (let n = 0; n < nodes; n++) {
    const at = c.offset;
    const master = c.string();
    if (master.length !== 16) c.fail(`stream node id of ${master.length} bytes (expected 16)`, at);
    if (!how.deep && !how.decode) {
      c.skipString(false);
      continue;
    }
    const lpAt = c.offset;
    const lp = c.string();
    try {
      if (how.decode) entries.push(...decodeStreamNode(master, lp));
      else walkListpack(lp);
    } catch (error) {
      blobError(c, error, lpAt);
    }
  }
  const length = c.len();
  const lastId = id(c.lenBig(), c.lenBig());
  keep();
  if (type >= TYPE.STREAM_LISTPACKS_2) {
    for (let i = 0; i < 5; i++) c.lenBig(); // first id (2), max deleted id (2), entries added
    keep(TYPE.STREAM_LISTPACKS_2);
  }
  const groupCount = c.len();
  keep();
  for (let g = 0; g < groupCount; g++) {
    const name = c.string();
    const groupLast = id(c.lenBig(), c.lenBig());
    keep();
    if (type >= TYPE.STREAM_LISTPACKS_2) {
      c.lenBig(); // entries read
      keep(TYPE.STREAM_LISTPACKS_2);
    }
    const pending = c.len();
    for (let p = 0; p < pending; p++) {
      c.skip(16 + 8); // raw id, delivery time
      c.lenBig(); // delivery count
    }
    const consumerCount = c.len();
    keep();
    const consumers: Buffer[] = [];
    for (let k = 0; k < consumerCount; k++) {
      consumers.push(c.string());
      c.skip(8); // seen time
      keep();
      if (type >= TYPE.STREAM_LISTPACKS_3) {
        c.skip(8); // active time
        keep(TYPE.STREAM_LISTPACKS_3);
      }
      c.skip(16 * c.len()); // the consumer's own PEL: ids only
      keep();
    }
    groups.push({ name, lastId: groupLast, pending, consumers });
  }
  keep();
  return how.decode ? { entries, length, lastId, groups } : null;
}
