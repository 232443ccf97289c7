import calculateSlot from 'cluster-key-slot';
import { keyPositions, specOf, type CommandTable } from './command-table.js';
import { encodeArgs, type StreamCommand } from './resp-stream.js';

/** A command (or its share of one) for the master owning `slot`. */
export interface SlotPart {
  readonly slot: number;
  readonly raw: Buffer;
}

/** What to do with one command of the stream. */
export type Route =
  /** Not applied: the primary's own traffic (PING, REPLCONF), PUBLISH, or another database's command. */
  | { readonly kind: 'skip'; readonly why: 'link' | 'publish' | 'other-db' | 'unmatched' }
  /** REPLCONF GETACK: answer with the applied offset. */
  | { readonly kind: 'getack' }
  | { readonly kind: 'select'; readonly db: number }
  | { readonly kind: 'multi' }
  | { readonly kind: 'exec' }
  /** Keyed: one part per slot (several only for commands that can be split: DEL, MSET, …). */
  | { readonly kind: 'keys'; readonly parts: readonly SlotPart[]; readonly split: boolean }
  /** Server-wide state every master needs (SCRIPT LOAD, FUNCTION LOAD). */
  | { readonly kind: 'broadcast'; readonly raw: Buffer }
  /** FLUSHALL, or FLUSHDB of the synced database: applied only with --allow-flush. */
  | { readonly kind: 'flush' }
  /** Key specs cannot place the keys: ask the source (COMMAND GETKEYS). */
  | { readonly kind: 'getkeys' }
  | { readonly kind: 'stop'; readonly reason: string };

/** Commands whose keys are independent: a multi-slot one is applied as one command per slot. */
const SPLITTABLE: Readonly<Record<string, { readonly step: number; readonly as?: string }>> = {
  del: { step: 1 },
  unlink: { step: 1 },
  touch: { step: 1 },
  mset: { step: 2 },
  // Propagated only when it set every key (else nothing changed): per slot it is an MSET.
  msetnx: { step: 2, as: 'mset' },
};

const SCRIPTS = new Set(['eval', 'evalsha', 'eval_ro', 'evalsha_ro', 'fcall', 'fcall_ro']);

const text = (b: Buffer | undefined): string => (b ? b.toString('latin1') : '');

/** The command for messages: its name and first key or subcommand, quoted as JSON (never a value). */
export function describeCommand(cmd: StreamCommand, keys: readonly number[] = []): string {
  const first = keys[0] !== undefined ? cmd.args[keys[0]] : cmd.args.length > 1 && /^[a-z-]+$/i.test(text(cmd.args[1])) ? cmd.args[1] : undefined;
  return `${cmd.name.toUpperCase()}${first ? ` ${JSON.stringify(first.toString())}` : ''}`;
}

/** Split a multi-slot DEL/UNLINK/TOUCH/MSET(NX) into one command per slot, keys in their order. */
function splitBySlot(cmd: StreamCommand, positions: readonly number[], step: number, as: string | undefined): SlotPart[] {
  const bySlot = new Map<number, Buffer[]>();
  for (const i of positions) {
    const slot = calculateSlot(cmd.args[i]!);
    const list = bySlot.get(slot) ?? (bySlot.set(slot, []), bySlot.get(slot)!);
    for (let j = 0; j < step; j++) list.push(cmd.args[i + j]!);
  }
  const name = as ? Buffer.from(as.toUpperCase()) : cmd.args[0]!;
  return [...bySlot].map(([slot, rest]) => ({ slot, raw: encodeArgs([name, ...rest]) }));
}

/**
 * Decide what one command of the stream becomes in the cluster, given the database the stream is
 * in (`db`, per SELECT) and the one being synced (`wantDb`). Pure. Routing is by the slot of the
 * keys the source's own key specs name; what a cluster cannot apply faithfully is a `stop` with the
 * reason, never dropped.
 */
export function routeCommand(cmd: StreamCommand, table: CommandTable, db: number, wantDb: number, match: KeyFilter | null = null): Route {
  const { name, args } = cmd;
  switch (name) {
    case 'ping':
      return { kind: 'skip', why: 'link' };
    case 'replconf':
      return text(args[1]).toLowerCase() === 'getack' ? { kind: 'getack' } : { kind: 'skip', why: 'link' };
    case 'publish':
    case 'spublish':
      return { kind: 'skip', why: 'publish' };
    case 'select': {
      const n = Number(text(args[1]));
      return Number.isInteger(n) && n >= 0 ? { kind: 'select', db: n } : { kind: 'stop', reason: `SELECT of a database that is not a number (${JSON.stringify(text(args[1]))})` };
    }
    case 'multi':
      return { kind: 'multi' };
    case 'exec':
      return { kind: 'exec' };
    case 'flushall':
      return { kind: 'flush' };
    case 'flushdb':
      return db === wantDb ? { kind: 'flush' } : { kind: 'skip', why: 'other-db' };
    case 'swapdb': {
      const [a, b] = [Number(text(args[1])), Number(text(args[2]))];
      return a === wantDb || b === wantDb ? { kind: 'stop', reason: `SWAPDB ${a} ${b} swaps the synced database with another: a cluster has one database, so its content cannot follow` } : { kind: 'skip', why: 'other-db' };
    }
    case 'move': {
      const to = Number(text(args[2]));
      return db === wantDb || to === wantDb ? { kind: 'stop', reason: `MOVE to database ${to} moves a key between databases: a cluster has one database` } : { kind: 'skip', why: 'other-db' };
    }
    case 'script':
    case 'function':
      return { kind: 'broadcast', raw: cmd.raw };
  }
  if (db !== wantDb) return { kind: 'skip', why: 'other-db' };
  if (name === 'copy') {
    const at = args.findIndex((a, i) => i > 2 && text(a).toLowerCase() === 'db');
    if (at > 0 && Number(text(args[at + 1])) !== wantDb) return { kind: 'stop', reason: `COPY … DB ${text(args[at + 1])} copies into another database: a cluster has one database` };
  }
  const spec = specOf(table, args);
  if (!spec) return { kind: 'stop', reason: `the source's COMMAND table does not know ${name.toUpperCase()} (a module command?), so its keys cannot be found` };
  const positions = keyPositions(spec, args);
  if (positions === 'unknown') return { kind: 'getkeys' };
  return routeByKeys(cmd, positions, match);
}

/** --match: whether a key is synced. */
export type KeyFilter = (key: Buffer) => boolean;

/** Route a command whose key positions are known (from key specs, or the source's COMMAND GETKEYS). */
export function routeByKeys(cmd: StreamCommand, all: readonly number[], match: KeyFilter | null = null): Route {
  let positions = all;
  if (match && all.length) {
    positions = all.filter((i) => match(cmd.args[i]!));
    if (!positions.length) return { kind: 'skip', why: 'unmatched' };
    if (positions.length < all.length && !SPLITTABLE[cmd.name]) return { kind: 'stop', reason: 'some of its keys match --match and some do not, and it cannot be applied to only some of them' };
    if (positions.length < all.length) return { kind: 'keys', parts: splitBySlot(cmd, positions, SPLITTABLE[cmd.name]!.step, SPLITTABLE[cmd.name]!.as), split: true };
  }
  if (!positions.length) {
    const why = SCRIPTS.has(cmd.name) ? 'a script that declares no keys cannot be placed on a master' : 'it names no key, so no master owns it';
    return { kind: 'stop', reason: `${why}; applying it anywhere would be a guess` };
  }
  const slots = new Set(positions.map((i) => calculateSlot(cmd.args[i]!)));
  if (slots.size === 1) {
    const slot = slots.values().next().value!;
    const split = SPLITTABLE[cmd.name];
    return { kind: 'keys', parts: [{ slot, raw: split?.as ? encodeArgs([Buffer.from(split.as.toUpperCase()), ...cmd.args.slice(1)]) : cmd.raw }], split: false };
  }
  const split = SPLITTABLE[cmd.name];
  if (split) return { kind: 'keys', parts: splitBySlot(cmd, positions, split.step, split.as), split: true };
  const what = SCRIPTS.has(cmd.name) ? 'a script whose keys are in different slots' : `its keys are in ${slots.size} different slots`;
  return { kind: 'stop', reason: `${what}; a cluster runs a command only when all its keys share a slot, and splitting it would change what it does` };
}
