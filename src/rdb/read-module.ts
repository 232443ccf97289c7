import type { Cursor } from './cursor.js';

/** The characters a module type name is written in (module.c's ModuleTypeNameCharSet). */
const NAME_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * The 9-character type name inside a 64-bit module id (moduleTypeNameByID): the low 10 bits are the
 * encoding version, the 54 above them nine 6-bit characters, the first character highest.
 */
export function moduleTypeName(id: bigint): string {
  let rest = id >> 10n;
  let name = '';
  for (let i = 0; i < 9; i++) {
    name = NAME_CHARS[Number(rest & 63n)]! + name;
    rest >>= 6n;
  }
  return name;
}

/** Module value opcodes (rdb.h RDB_MODULE_OPCODE_*): each value a module writes is tagged. */
const MODULE_OPCODE = { EOF: 0, SINT: 1, UINT: 2, FLOAT: 3, DOUBLE: 4, STRING: 5 } as const;

/**
 * Step over a module-2 value or a module AUX section after its id: tagged values up to the EOF tag
 * (what redis-check-rdb does without the module). Pre-GA module values have no tags: unskippable.
 */
export function skipModuleValue(c: Cursor): void {
  for (;;) {
    const at = c.offset;
    const op = c.len();
    if (op === MODULE_OPCODE.EOF) return;
    if (op === MODULE_OPCODE.SINT || op === MODULE_OPCODE.UINT) c.lenBig();
    else if (op === MODULE_OPCODE.FLOAT) c.skip(4);
    else if (op === MODULE_OPCODE.DOUBLE) c.skip(8);
    else if (op === MODULE_OPCODE.STRING) c.skipString(false);
    else c.fail(`unknown module value opcode ${op}`, at);
  }
}
