/**
 * A key name per hash slot, for asking a node about a slot without touching data: `EXISTS` of a key
 * that is not there, in a slot the node is migrating, is answered `-ASK <slot> <target>`; in a slot
 * it serves and does not migrate, `0`; in a slot it does not serve (or as a replica), `-MOVED`.
 * One cheap command per slot instead of a CLUSTER NODES of every source per closing burst.
 */
import { SLOT_COUNT } from '../topology/types.js';

const DIGIT_CODES = Array.from('0123456789abcdefghijklmnopqrstuvwxyz', (c) => c.charCodeAt(0));

/** CRC16-XMODEM (Redis' key hash) one byte at a time: CRC_TABLE[i] is the CRC of byte i. */
const CRC_TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1;
    table[i] = crc & 0xffff;
  }
  return table;
})();

const crcStep = (crc: number, byte: number): number => ((crc << 8) ^ CRC_TABLE[((crc >> 8) ^ byte) & 0xff]!) & 0xffff;

/**
 * The shortest base-36 tag of each slot: the first of `i.toString(36)` for i = 0, 1, … that hashes
 * to it. 87,573 tags are tried before every slot has one; building the whole table at the first
 * probe (through cluster-key-slot: a UTF-8 encoding and a whole CRC per tag) held the event loop
 * ~30 ms in a run's first closing round, the intro slot's, which every later slot waits for. So
 * the scan goes only as far as the slot asked for needs (about 16,000 tags for the first, fewer and
 * fewer after), keeping every tag it passes, and each tag's CRC extends the CRC of its digits but
 * the last (i / 36), found before it: the same tags, one table step each.
 */
const tags = new Array<string | undefined>(SLOT_COUNT);
/** CRC of every tag scanned: the scan is the same every time and ends at 87,573 (the test checks every slot). */
const crcs = new Uint16Array(1 << 17);
let scanned = 0;

function tagOf(slot: number): string {
  while (tags[slot] === undefined) {
    const i = scanned++;
    const crc = crcStep(i < 36 ? 0 : crcs[(i / 36) | 0]!, DIGIT_CODES[i % 36]!);
    crcs[i] = crc;
    const s = crc & (SLOT_COUNT - 1);
    if (tags[s] === undefined) tags[s] = i.toString(36);
  }
  return tags[slot]!;
}

/** A key of `slot` that no application is likely to hold. */
export function probeKey(slot: number): string {
  return `{${tagOf(slot)}}:slotpilot-probe`;
}
