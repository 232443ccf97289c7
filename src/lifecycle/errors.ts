import { OperationError } from '../errors.js';
import type { SyncPhase } from './events.js';

/** A replica did not finish its initial sync in time. Nothing was failed over or removed. Exit 1. */
export class SyncTimeoutError extends OperationError {
  constructor(
    readonly replica: string,
    readonly master: string,
    readonly phase: SyncPhase,
    readonly lagBytes: number | null,
    message: string,
  ) {
    super(message);
  }
}

/** A graceful failover did not complete (or not everywhere) in time. Exit 1. */
export class FailoverTimeoutError extends OperationError {
  constructor(
    readonly replica: string,
    readonly oldMaster: string,
    /** Whether the replica took over in its own view (then only agreement is missing). */
    readonly promoted: boolean,
    message: string,
  ) {
    super(message);
  }
}
