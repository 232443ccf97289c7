import calculateSlot from 'cluster-key-slot';
import { quoteKey } from '../redis/key-name.js';
import type { DumpedKey } from './types.js';

/** A key whose slot has no owner: preflight refuses such clusters, so this means the cluster changed. */
export class UnownedSlotError extends Error {
  override readonly name = 'UnownedSlotError';
  constructor(
    readonly slot: number,
    readonly key: string,
  ) {
    super(`slot ${slot} (key ${quoteKey(key)}) has no owner; the cluster changed during the import`);
  }
}

/**
 * Group dumped keys by the master that owns their slot (CRC16 of the key or its {hash tag}), so each
 * master receives one pipeline per batch. Keys are Buffers: key names are binary-safe in Redis.
 */
export function routeKeys<K extends { readonly key: Buffer }>(keys: readonly K[], slotOwners: readonly (string | null)[]): Map<string, K[]> {
  const byOwner = new Map<string, K[]>();
  for (const k of keys) {
    const slot = calculateSlot(k.key);
    const owner = slotOwners[slot];
    if (!owner) throw new UnownedSlotError(slot, k.key.toString());
    const list = byOwner.get(owner);
    if (list) list.push(k);
    else byOwner.set(owner, [k]);
  }
  return byOwner;
}

/**
 * The reply of the source's dump script (`[pttl, payload, pttl, payload, …]`, one pair per key) as
 * keys to restore. A key whose payload is missing vanished (expired or deleted) after SCAN saw it;
 * one with PTTL -2 but a payload was created in between and is left for a later run, since its TTL is
 * unknown.
 */
export function parseDumpReply(keys: readonly Buffer[], reply: readonly unknown[]): { dumped: DumpedKey[]; vanished: number } {
  if (reply.length !== keys.length * 2) throw new Error(`dump script answered ${reply.length} values for ${keys.length} keys`);
  const dumped: DumpedKey[] = [];
  let vanished = 0;
  keys.forEach((key, i) => {
    const pttl = Number(reply[i * 2]);
    const payload = reply[i * 2 + 1];
    if (!Buffer.isBuffer(payload) || pttl === -2) {
      vanished++;
      return;
    }
    // PTTL 0 is possible for a key about to expire; keep at least 1 ms so RESTORE does not make it persistent.
    dumped.push({ key, ttlMs: pttl === -1 ? 0 : Math.max(1, pttl), payload });
  });
  return { dumped, vanished };
}

/** What happened to each RESTORE of one pipeline. */
export interface RestoreOutcome<K> {
  readonly restored: K[];
  /** BUSYKEY: the cluster already holds the key (compare before calling it a conflict). */
  readonly busy: K[];
  /** Any other error, with its one-line reason. */
  readonly failed: { readonly entry: K; readonly reason: string }[];
}

/** Sort a pipeline's `[error, reply]` pairs by outcome, in the order the entries were sent. */
export function classifyRestoreReplies<K>(entries: readonly K[], results: readonly [Error | null, unknown][]): RestoreOutcome<K> {
  const outcome: { restored: K[]; busy: K[]; failed: { entry: K; reason: string }[] } = { restored: [], busy: [], failed: [] };
  entries.forEach((entry, i) => {
    const [error] = results[i] ?? [new Error('no reply')];
    if (!error) outcome.restored.push(entry);
    else if (/^BUSYKEY/.test(error.message)) outcome.busy.push(entry);
    else outcome.failed.push({ entry, reason: error.message.split('\n')[0]!.trim() });
  });
  return outcome;
}
