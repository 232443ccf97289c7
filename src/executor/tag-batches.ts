/**
 * Cutting a slot's keys into MIGRATE batches without splitting a hash tag when it can be helped.
 * While a slot's keys move in several MIGRATEs, a multi-key command (MGET, MSET, a MULTI) on keys of
 * one tag that are half moved gets TRYAGAIN, which some clients (node-redis) do not retry. Keys of one
 * tag always share a slot, and applications use tags exactly for such commands, so each tag's keys
 * go in the same MIGRATE unless the tag alone holds more keys than a batch. Pure.
 */
import type { KeyName } from '../redis/key-name.js';

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

/**
 * The part of a key Redis hashes: the text between the first `{` and the next `}`, if not empty. A
 * Buffer name's tag comes back as one character per byte (latin1), so equal bytes give equal tags.
 */
export function hashTagOf(key: KeyName): string {
  if (typeof key !== 'string') {
    const open = key.indexOf(OPEN);
    const close = open < 0 ? -1 : key.indexOf(CLOSE, open + 1);
    return close > open + 1 ? key.toString('latin1', open + 1, close) : key.toString('latin1');
  }
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/**
 * Batches of at most `size` keys, each tag's keys together (a tag larger than `size` is cut into
 * pieces of `size`). Keys keep their first-seen order within a tag; tags keep the order of their first key.
 */
export function batchByTag<K extends KeyName>(keys: readonly K[], size: number): K[][] {
  // The usual slot fits in one batch: nothing to group (the key loop's hot path).
  if (keys.length <= size) return [keys as K[]];
  const groups = new Map<string, K[]>();
  for (const k of keys) {
    const tag = hashTagOf(k);
    const g = groups.get(tag);
    if (g) g.push(k);
    else groups.set(tag, [k]);
  }
  const batches: K[][] = [];
  let current: K[] = [];
  for (const group of groups.values()) {
    if (current.length + group.length > size && current.length) {
      batches.push(current);
      current = [];
    }
    for (let i = 0; i < group.length; i += size) {
      const piece = group.slice(i, i + size);
      if (current.length + piece.length > size) {
        batches.push(current);
        current = [];
      }
      current.push(...piece);
    }
  }
  if (current.length) batches.push(current);
  return batches;
}
