import { createHash } from 'node:crypto';
import type { DecodedValue } from '../rdb/value-types.js';

/**
 * A key's value read back from a cluster node as flat parts: its type, then the elements as the
 * read commands give them (scores as text, streams as id, field count, fields…, then "#groups" and
 * per group its name, last delivered id and pending count). The digest is computed in this process
 * (valueDigest), the same way as for a value decoded from an RDB file (decodedDigest), so the two
 * compare whatever encoding either side holds and whatever text format the server gives scores in.
 */
export const VALUE_PARTS_LUA = `
local k = KEYS[1]
local ty = redis.call('TYPE', k).ok
if ty == 'none' then return false end
local out = { ty }
local function add(t) for _, e in ipairs(t) do out[#out + 1] = e end end
if ty == 'string' then out[2] = redis.call('GET', k)
elseif ty == 'list' then add(redis.call('LRANGE', k, 0, -1))
elseif ty == 'set' then add(redis.call('SMEMBERS', k))
elseif ty == 'zset' then add(redis.call('ZRANGE', k, 0, -1, 'WITHSCORES'))
elseif ty == 'hash' then add(redis.call('HGETALL', k))
elseif ty == 'stream' then
  for _, e in ipairs(redis.call('XRANGE', k, '-', '+')) do
    out[#out + 1] = e[1]
    out[#out + 1] = tostring(#e[2])
    add(e[2])
  end
  out[#out + 1] = '#groups'
  for _, g in ipairs(redis.call('XINFO', 'GROUPS', k)) do
    local f = {}
    for i = 1, #g, 2 do f[g[i]] = g[i + 1] end
    out[#out + 1] = f['name']
    out[#out + 1] = f['last-delivered-id']
    out[#out + 1] = tostring(f['pending'])
  end
else out[2] = redis.call('DUMP', k) end
return out`;

/** The canonical form: a type and parts, sets and hashes sorted, scores as numbers. */
interface Canonical {
  readonly type: string;
  readonly parts: readonly (Buffer | string)[];
}

function sha1(c: Canonical): string {
  const h = createHash('sha1').update(c.type);
  for (const p of c.parts) h.update(`,${Buffer.byteLength(p)}:`).update(p);
  return h.digest('hex');
}

const text = (b: Buffer): string => b.toString('latin1');

/** A score as a number: "inf", "-inf" and both %.17g and shortest text of the same double agree. */
function scoreOf(s: string): number {
  const inf = /^([+-]?)inf/i.exec(s);
  return inf ? (inf[1] === '-' ? -Infinity : Infinity) : Number(s);
}

function zsetParts(members: readonly { member: Buffer; score: number }[]): (Buffer | string)[] {
  const sorted = [...members].sort((a, b) => a.score - b.score || Buffer.compare(a.member, b.member));
  return sorted.flatMap((m) => [m.member, String(m.score)]);
}

function hashParts(fields: readonly { field: Buffer; value: Buffer }[]): Buffer[] {
  return [...fields].sort((a, b) => Buffer.compare(a.field, b.field)).flatMap((f) => [f.field, f.value]);
}

function streamParts(entries: readonly { id: string; fields: readonly Buffer[] }[], groups: readonly { name: Buffer; lastId: string; pending: number }[]): (Buffer | string)[] {
  const out: (Buffer | string)[] = [];
  for (const e of entries) out.push(e.id, String(e.fields.length), ...e.fields);
  out.push('#groups');
  for (const g of [...groups].sort((a, b) => Buffer.compare(a.name, b.name))) out.push(g.name, g.lastId, String(g.pending));
  return out;
}

/** Digest of a value decoded from an RDB file; hash fields expired by `now` are gone, as on a server. */
export function decodedDigest(v: DecodedValue, now = Date.now()): string {
  switch (v.kind) {
    case 'string':
      return sha1({ type: 'string', parts: [v.value] });
    case 'list':
      return sha1({ type: 'list', parts: v.items });
    case 'set':
      return sha1({ type: 'set', parts: [...v.members].sort(Buffer.compare) });
    case 'zset':
      return sha1({ type: 'zset', parts: zsetParts(v.members) });
    case 'hash':
      return sha1({ type: 'hash', parts: hashParts(v.fields.filter((f) => f.expireAt === null || f.expireAt > now)) });
    case 'stream':
      return sha1({ type: 'stream', parts: streamParts(v.stream.entries, v.stream.groups) });
  }
}

/** Digest of VALUE_PARTS_LUA's reply (null: the key does not exist). */
export function partsDigest(reply: readonly Buffer[] | null): string | null {
  if (!reply || !reply.length) return null;
  const type = text(reply[0]!);
  const rest = reply.slice(1);
  const pairs = <T>(make: (a: Buffer, b: Buffer) => T): T[] => Array.from({ length: rest.length >> 1 }, (_, i) => make(rest[i * 2]!, rest[i * 2 + 1]!));
  if (type === 'set') return sha1({ type, parts: [...rest].sort(Buffer.compare) });
  if (type === 'zset') return sha1({ type, parts: zsetParts(pairs((member, s) => ({ member, score: scoreOf(text(s)) }))) });
  if (type === 'hash') return sha1({ type, parts: hashParts(pairs((field, value) => ({ field, value }))) });
  if (type !== 'stream') return sha1({ type, parts: rest });
  const entries: { id: string; fields: Buffer[] }[] = [];
  let i = 0;
  while (i < rest.length && text(rest[i]!) !== '#groups') {
    const id = text(rest[i]!);
    const n = Number(text(rest[i + 1]!));
    entries.push({ id, fields: rest.slice(i + 2, i + 2 + n) });
    i += 2 + n;
  }
  const groups: { name: Buffer; lastId: string; pending: number }[] = [];
  for (i++; i + 2 < rest.length + 1 && i < rest.length; i += 3) groups.push({ name: rest[i]!, lastId: text(rest[i + 1]!), pending: Number(text(rest[i + 2]!)) });
  return sha1({ type, parts: streamParts(entries, groups) });
}
