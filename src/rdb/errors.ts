import { RefusedError } from '../errors.js';

/**
 * The bytes are not a valid RDB (truncated, corrupt, unknown opcode or type, bad version). Refused
 * with exit 2 before anything is written; `offset` is the absolute byte offset in the file or stream
 * where the reader found the problem, so an admin can look at it with a hex viewer.
 */
export class RdbFormatError extends RefusedError {
  override readonly name = 'RdbFormatError';
  constructor(
    readonly offset: number,
    readonly reason: string,
    /** The file or stream the bytes came from, when the caller knows it. */
    readonly source: string | null = null,
  ) {
    super(`${source ? `${source}: ` : ''}not a valid RDB: ${reason} at byte offset ${offset}`);
  }

  /** The same error, naming where the bytes came from. */
  withSource(source: string): RdbFormatError {
    return new RdbFormatError(this.offset, this.reason, source);
  }
}

/**
 * A value the reader understands but cannot carry: a module type (its bytes mean something only to
 * the module, named here from its id), or field TTLs for a server that has none. Exit 2.
 */
export class RdbUnsupportedError extends RefusedError {
  override readonly name = 'RdbUnsupportedError';
  constructor(
    readonly offset: number,
    readonly key: string | null,
    readonly reason: string,
  ) {
    super(`${key !== null ? `key ${key}: ` : ''}${reason} (byte offset ${offset})`);
  }
}
