import type { Cursor } from './cursor.js';
import { readValue } from './read-value.js';
import { TYPE, VALKEY_HASH_2, type RdbFlavor } from './types.js';

/** Types whose value is one string (a compact blob, or the string itself). */
const ONE_STRING = new Set<number>([TYPE.STRING, TYPE.LIST_ZIPLIST, TYPE.SET_INTSET, TYPE.ZSET_ZIPLIST, TYPE.HASH_ZIPMAP, TYPE.HASH_ZIPLIST, TYPE.HASH_LISTPACK, TYPE.ZSET_LISTPACK, TYPE.SET_LISTPACK, TYPE.HASH_LISTPACK_EX_PRE_GA]);

/**
 * Step over a value without checking inside it or allocating (the write pass, after the validation
 * pass checked the file): the common types by hand, the rest through readValue.
 */
export function skipValue(c: Cursor, type: number, flavor: RdbFlavor): void {
  if (ONE_STRING.has(type) && !(flavor === 'valkey' && type === VALKEY_HASH_2)) return c.skipString(false);
  if (type === TYPE.LIST || type === TYPE.SET || type === TYPE.LIST_QUICKLIST) {
    for (let n = c.len(); n > 0; n--) c.skipString(false);
    return;
  }
  if (type === TYPE.LIST_QUICKLIST_2 || type === TYPE.HASH || type === TYPE.ZSET_2) {
    for (let n = c.len(); n > 0; n--) {
      if (type === TYPE.LIST_QUICKLIST_2) {
        const at = c.offset;
        const container = c.len();
        if (container !== 1 && container !== 2) c.fail(`quicklist node container ${container} (expected 1 plain or 2 packed)`, at);
      }
      c.skipString(false);
      if (type === TYPE.HASH) c.skipString(false);
      else if (type === TYPE.ZSET_2) c.skip(8);
    }
    return;
  }
  readValue(c, type, { flavor, deep: false, decode: false });
}
