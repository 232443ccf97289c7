import { EncodingError } from './encoding-error.js';
import { walkListpack } from './listpack.js';
import type { StreamEntry } from '../value-types.js';

const FLAG_DELETED = 1;
const FLAG_SAMEFIELDS = 2;

/**
 * The entries of one stream node (t_stream.c): a listpack whose "master entry" lists the node's
 * field names, followed by entries stored as deltas from the node's id (the 16-byte big-endian
 * `master` key). An entry flagged SAMEFIELDS has only values (the master's fields); others carry
 * their own fields. Deleted entries stay in the listpack, flagged, and are left out here.
 */
export function decodeStreamNode(master: Buffer, lp: Buffer): StreamEntry[] {
  const items: Buffer[] = [];
  walkListpack(lp, (b) => items.push(b));
  const fail = (reason: string): never => {
    throw new EncodingError('stream listpack', 0, reason);
  };
  const masterMs = master.readBigUInt64BE(0);
  const masterSeq = master.readBigUInt64BE(8);
  let i = 0;
  const next = (): Buffer => items[i++] ?? fail('cut short');
  const int = (): bigint => {
    const text = next().toString('latin1');
    if (!/^-?\d+$/.test(text)) fail(`"${text}" where a number was expected`);
    return BigInt(text);
  };
  int(); // valid entries
  int(); // deleted entries
  const masterFields = Number(int());
  const fields = Array.from({ length: masterFields }, next);
  if (int() !== 0n) fail('master entry not terminated by 0');
  const out: StreamEntry[] = [];
  while (i < items.length) {
    const flags = Number(int());
    const id = `${masterMs + int()}-${masterSeq + int()}`;
    let values: Buffer[];
    if (flags & FLAG_SAMEFIELDS) values = fields.flatMap((f) => [f, next()]);
    else {
      const n = Number(int());
      values = [];
      for (let j = 0; j < n * 2; j++) values.push(next());
    }
    int(); // lp-count, for walking backwards
    if (!(flags & FLAG_DELETED)) out.push({ id, fields: values });
  }
  return out;
}
