import type { RdbEntry, RdbKeyEntry } from './entries.js';
import { moduleNameOf } from './read-value.js';
import { typeInfo, type RdbFlavor } from './types.js';

/** One of the biggest keys: by serialized size (key name + value as stored in the file). */
export interface BigKey {
  readonly db: number;
  readonly key: string;
  readonly kind: string;
  readonly encoding: string;
  readonly bytes: number;
}

export interface DbStats {
  readonly db: number;
  keys: number;
  withTtl: number;
  expired: number;
  /** `kind/encoding` → keys. */
  readonly encodings: Record<string, number>;
}

/** What inspect-rdb reports about a file. */
export interface RdbStats {
  version: number;
  flavor: RdbFlavor;
  readonly aux: Record<string, string>;
  readonly databases: DbStats[];
  keys: number;
  withTtl: number;
  expired: number;
  /** Bytes of all keys and values as stored (what RESTORE payloads carry). */
  valueBytes: number;
  readonly biggest: BigKey[];
  functions: number;
  /** Module names seen in module values and module AUX sections. */
  readonly modules: string[];
  checksumChecked: boolean;
}

const TOP = 10;

/** Collects RdbStats from the reader's entries, in one pass; `now` decides what has expired. */
export class RdbStatsCollector {
  readonly stats: RdbStats = { version: 0, flavor: 'redis', aux: {}, databases: [], keys: 0, withTtl: 0, expired: 0, valueBytes: 0, biggest: [], functions: 0, modules: [], checksumChecked: false };
  readonly #now: number;
  /** Per database number, its stats (databases[] keeps file order). */
  readonly #dbs = new Map<number, DbStats>();

  constructor(now: number) {
    this.#now = now;
  }

  add(e: RdbEntry): void {
    const s = this.stats;
    if (e.kind === 'header') Object.assign(s, { version: e.version, flavor: e.flavor });
    else if (e.kind === 'aux') s.aux[e.key.toString()] = e.value.toString();
    else if (e.kind === 'function') s.functions++;
    else if (e.kind === 'module-aux') this.#module(e.module);
    else if (e.kind === 'eof') s.checksumChecked = e.checksumChecked;
    else if (e.kind === 'key') this.#key(e);
  }

  #module(name: string): void {
    if (!this.stats.modules.includes(name)) this.stats.modules.push(name);
  }

  #key(e: RdbKeyEntry): void {
    const s = this.stats;
    let db = this.#dbs.get(e.db);
    if (!db) {
      db = { db: e.db, keys: 0, withTtl: 0, expired: 0, encodings: {} };
      this.#dbs.set(e.db, db);
      s.databases.push(db);
    }
    const info = typeInfo(e.type, s.flavor)!;
    if (info.kind === 'module') this.#module(moduleNameOf(e.value, e.valueOffset));
    const name = `${info.kind}/${info.encoding}`;
    db.encodings[name] = (db.encodings[name] ?? 0) + 1;
    db.keys++;
    s.keys++;
    if (e.expireAt !== null) {
      db.withTtl++;
      s.withTtl++;
      if (e.expireAt <= this.#now) {
        db.expired++;
        s.expired++;
      }
    }
    const bytes = e.keyLength + e.valueLength;
    s.valueBytes += bytes;
    const top = s.biggest;
    if (top.length < TOP || bytes > top[top.length - 1]!.bytes) {
      top.push({ db: e.db, key: e.key.toString(), kind: info.kind, encoding: info.encoding, bytes });
      top.sort((a, b) => b.bytes - a.bytes);
      if (top.length > TOP) top.pop();
    }
  }
}
