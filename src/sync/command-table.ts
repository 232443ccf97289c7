/**
 * Where the keys of each command are, as the source itself describes them (`COMMAND`): Redis 7's
 * key specs (begin_search: an index or a keyword; find_keys: a range or a key count), and for older
 * servers the first/last/step triple. Keeping a hand-made list would go stale with every release and
 * miss module commands; the source knows its own commands. Pure: `parseCommandTable` takes the
 * reply as ioredis returns it (RESP2 arrays, maps as flat key/value arrays).
 */

type BeginSearch = { readonly type: 'index'; readonly index: number } | { readonly type: 'keyword'; readonly keyword: string; readonly startFrom: number } | { readonly type: 'unknown' };
type FindKeys = { readonly type: 'range'; readonly lastKey: number; readonly keyStep: number; readonly limit: number } | { readonly type: 'keynum'; readonly keyNumIdx: number; readonly firstKey: number; readonly keyStep: number } | { readonly type: 'unknown' };

export interface KeySpec {
  readonly begin: BeginSearch;
  readonly find: FindKeys;
  /** INCOMPLETE: the spec may miss keys (the source's COMMAND GETKEYS knows them). */
  readonly incomplete: boolean;
}

export interface CommandSpec {
  readonly name: string;
  readonly flags: readonly string[];
  readonly keySpecs: readonly KeySpec[];
  /** Subcommands by lower-case name (`config|set` under `config`), for container commands. */
  readonly subcommands: ReadonlyMap<string, CommandSpec>;
}

export type CommandTable = ReadonlyMap<string, CommandSpec>;

/** A flat `[k1, v1, k2, v2…]` array (a RESP2 map) as an object. */
function asMap(x: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(x)) return out;
  for (let i = 0; i + 1 < x.length; i += 2) out[String(x[i])] = x[i + 1];
  return out;
}

function parseBegin(x: unknown): BeginSearch {
  const m = asMap(x);
  const spec = asMap(m.spec);
  if (m.type === 'index') return { type: 'index', index: Number(spec.index) };
  if (m.type === 'keyword') return { type: 'keyword', keyword: String(spec.keyword).toLowerCase(), startFrom: Number(spec.startfrom) };
  return { type: 'unknown' };
}

function parseFind(x: unknown): FindKeys {
  const m = asMap(x);
  const spec = asMap(m.spec);
  if (m.type === 'range') return { type: 'range', lastKey: Number(spec.lastkey), keyStep: Number(spec.keystep), limit: Number(spec.limit) };
  if (m.type === 'keynum') return { type: 'keynum', keyNumIdx: Number(spec.keynumidx), firstKey: Number(spec.firstkey), keyStep: Number(spec.keystep) };
  return { type: 'unknown' };
}

/** One entry of the COMMAND reply: [name, arity, flags, first, last, step, (acl, tips, key specs, subcommands)]. */
function parseEntry(entry: unknown): CommandSpec | null {
  if (!Array.isArray(entry) || entry.length < 6) return null;
  const name = String(entry[0]).toLowerCase();
  const flags = Array.isArray(entry[2]) ? entry[2].map((f) => String(f).toLowerCase()) : [];
  let keySpecs: KeySpec[];
  if (Array.isArray(entry[8])) {
    keySpecs = entry[8].map((ks) => {
      const m = asMap(ks);
      const ksFlags = Array.isArray(m.flags) ? m.flags.map((f) => String(f).toLowerCase()) : [];
      return { begin: parseBegin(m.begin_search), find: parseFind(m.find_keys), incomplete: ksFlags.includes('incomplete') };
    });
  } else {
    // Before Redis 7: first key, last key (negative counts from the end), step; 0 means no keys.
    const [first, last, step] = [Number(entry[3]), Number(entry[4]), Number(entry[5])];
    keySpecs = first > 0 ? [{ begin: { type: 'index', index: first }, find: { type: 'range', lastKey: last < 0 ? last : last - first, keyStep: step || 1, limit: 0 }, incomplete: flags.includes('movablekeys') }] : flags.includes('movablekeys') ? [{ begin: { type: 'unknown' }, find: { type: 'unknown' }, incomplete: true }] : [];
  }
  const subcommands = new Map<string, CommandSpec>();
  if (Array.isArray(entry[9])) {
    for (const sub of entry[9]) {
      const s = parseEntry(sub);
      if (s) subcommands.set(s.name.slice(s.name.indexOf('|') + 1), s);
    }
  }
  return { name, flags, keySpecs, subcommands };
}

export function parseCommandTable(reply: unknown): CommandTable {
  const table = new Map<string, CommandSpec>();
  for (const entry of Array.isArray(reply) ? reply : []) {
    const spec = parseEntry(entry);
    if (spec) table.set(spec.name, spec);
  }
  return table;
}

/** The spec that applies to `args` (a container's subcommand when it has them), or null if unknown. */
export function specOf(table: CommandTable, args: readonly Buffer[]): CommandSpec | null {
  const top = table.get(args[0]!.toString('latin1').toLowerCase());
  if (!top || !top.subcommands.size || args.length < 2) return top ?? null;
  return top.subcommands.get(args[1]!.toString('latin1').toLowerCase()) ?? top;
}

/**
 * Indexes of the key arguments of `args` by the spec's key specs, or `'unknown'` when a spec cannot
 * tell statically (type unknown, or flagged incomplete): then only the source can say.
 */
export function keyPositions(spec: CommandSpec, args: readonly Buffer[]): number[] | 'unknown' {
  const out: number[] = [];
  const n = args.length;
  for (const ks of spec.keySpecs) {
    if (ks.incomplete || ks.begin.type === 'unknown' || ks.find.type === 'unknown') return 'unknown';
    let start: number;
    if (ks.begin.type === 'index') start = ks.begin.index;
    else {
      const { keyword, startFrom } = ks.begin;
      // startfrom < 0 searches from the end backwards; the keyword's key follows it.
      start = -1;
      if (startFrom >= 0) {
        for (let i = startFrom; i < n; i++) if (args[i]!.toString('latin1').toLowerCase() === keyword) { start = i + 1; break; }
      } else {
        for (let i = n + startFrom; i > 0; i--) if (args[i]!.toString('latin1').toLowerCase() === keyword) { start = i + 1; break; }
      }
      if (start < 0) continue; // the optional keyword is absent: no key from this spec
    }
    if (start >= n) continue;
    if (ks.find.type === 'range') {
      const { lastKey, keyStep, limit } = ks.find;
      // As db.c getKeysUsingKeySpecs: a negative lastkey counts from the end, `limit` divides the rest.
      const last = lastKey >= 0 ? start + lastKey : limit ? start + Math.floor((n - start) / limit) + lastKey : n + lastKey;
      for (let i = start; i <= Math.min(last, n - 1); i += Math.max(1, keyStep)) out.push(i);
    } else {
      const { keyNumIdx, firstKey, keyStep } = ks.find;
      const count = Number(args[start + keyNumIdx]?.toString('latin1'));
      if (!Number.isInteger(count) || count < 0) return 'unknown';
      const first = start + firstKey;
      for (let k = 0; k < count; k++) {
        const i = first + k * keyStep;
        if (i >= n) return 'unknown';
        out.push(i);
      }
    }
  }
  return [...new Set(out)].sort((a, b) => a - b);
}
