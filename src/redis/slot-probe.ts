/**
 * A key name per hash slot, for asking a node about a slot without touching data: `EXISTS` of a key
 * that is not there, in a slot the node is migrating, is answered `-ASK <slot> <target>`; in a slot
 * it serves and does not migrate, `0`; in a slot it does not serve (or as a replica), `-MOVED`.
 * One cheap command per slot instead of a CLUSTER NODES of every source per closing burst.
 */
import calculateSlot from 'cluster-key-slot';
import { SLOT_COUNT } from '../topology/types.js';

let tags: string[] | null = null;

/** The shortest base-36 tag of each slot, found once (about 170,000 CRC16s, a few tens of ms). */
function slotTags(): string[] {
  if (tags) return tags;
  const found = new Array<string>(SLOT_COUNT);
  let missing = SLOT_COUNT;
  for (let i = 0; missing > 0; i++) {
    const tag = i.toString(36);
    const slot = calculateSlot(tag);
    if (found[slot] === undefined) {
      found[slot] = tag;
      missing--;
    }
  }
  return (tags = found);
}

/** A key of `slot` that no application is likely to hold. */
export function probeKey(slot: number): string {
  return `{${slotTags()[slot]}}:slotpilot-probe`;
}
