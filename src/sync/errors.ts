import { OperationError, RefusedError } from '../errors.js';

/**
 * The stream holds something slotpilot must not apply or guess at (SWAPDB, a cross-slot script, a
 * FLUSHALL without --allow-flush, a reply error from the cluster): the run stops there, nothing
 * after it is applied, and the offset says where a re-run would continue. Exit 1.
 */
export class SyncStopError extends OperationError {
  override readonly name = 'SyncStopError';
  constructor(
    /** The command as it would be typed: its name, and its first key when it has one. */
    readonly command: string,
    /** Replication offset at which the command ends on its source. */
    readonly offset: number,
    readonly reason: string,
    /** The source `host:port`, when known. */
    readonly source: string | null = null,
  ) {
    super(`${source ? `${source}: ` : ''}${command} at offset ${offset}: ${reason}`);
  }
}

/** The source will not replicate to a client (managed services rename or refuse PSYNC). Exit 2. */
export class PsyncRefusedError extends RefusedError {
  override readonly name = 'PsyncRefusedError';
  constructor(
    readonly source: string,
    readonly reply: string,
  ) {
    super(`${source} refuses to replicate (${reply}); managed services often do not let clients use PSYNC: copy the data with slotpilot import --from ${source} instead (or import --rdb of an export)`);
  }
}
