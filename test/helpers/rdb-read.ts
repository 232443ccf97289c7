/** Test helpers around the reader: parse a whole buffer in chunks, decode a file's keys. */
import { RdbParser } from '../../src/rdb/parser.js';
import type { RdbEntry, RdbKeyEntry } from '../../src/rdb/entries.js';
import { decodeValue } from '../../src/rdb/read-value.js';
import type { DecodedValue } from '../../src/rdb/value-types.js';

/** Every entry of `buf`, fed `chunk` bytes at a time (deep checks on). */
export function parseAll(buf: Buffer, chunk = buf.length, deep = true): RdbEntry[] {
  const p = new RdbParser({ deep, totalBytes: buf.length });
  const out: RdbEntry[] = [];
  for (let i = 0; i < buf.length; i += chunk) out.push(...p.push(buf.subarray(i, i + chunk)));
  out.push(...p.end());
  return out;
}

export const keysOf = (entries: readonly RdbEntry[]): RdbKeyEntry[] => entries.filter((e): e is RdbKeyEntry => e.kind === 'key');

/** A decoded value in plain JSON terms (strings for Buffers), easy to compare with expectations. */
export function plainValue(v: DecodedValue): unknown {
  const s = (b: Buffer): string => b.toString();
  switch (v.kind) {
    case 'string':
      return s(v.value);
    case 'list':
      return v.items.map(s);
    case 'set':
      return v.members.map(s).sort();
    case 'zset':
      return v.members.map((m) => [s(m.member), m.score]);
    case 'hash':
      return Object.fromEntries(v.fields.map((f) => [s(f.field), f.expireAt === null ? s(f.value) : [s(f.value), f.expireAt]]));
    case 'stream':
      return { entries: v.stream.entries.map((e) => [e.id, e.fields.map(s)]), length: v.stream.length, lastId: v.stream.lastId, groups: v.stream.groups.map((g) => ({ name: s(g.name), lastId: g.lastId, pending: g.pending, consumers: g.consumers.map(s) })) };
  }
}

/** key name → plain decoded value of every key in `buf`. */
export function decodeFile(buf: Buffer): Record<string, unknown> {
  const entries = parseAll(buf);
  const header = entries[0];
  const flavor = header?.kind === 'header' ? header.flavor : 'redis';
  return Object.fromEntries(keysOf(entries).map((k) => [k.key.toString(), plainValue(decodeValue(k.type, k.value, k.valueOffset, flavor))]));
}
