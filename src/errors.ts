/**
 * Error classes the CLI maps to exit codes. Every message is one line, meant for the admin, and
 * never contains a secret.
 */

/** Exit codes, documented in docs/commands.md (Exit codes) and in one line in README.md. */
export const ExitCode = {
  ok: 0,
  /** Runtime failure: unreachable cluster, a failed slot, a lost connection. */
  failure: 1,
  /** Bad input or a refusal: nothing was changed. */
  usage: 2,
  /** `check` found problems. */
  problems: 3,
  /** Interrupted by Ctrl-C / SIGTERM after a graceful stop. */
  interrupted: 130,
} as const;

/** Bad arguments or input files; nothing was changed. Exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A safety check refused the operation; nothing was changed. Exit 2. */
export class RefusedError extends Error {
  override readonly name: string = 'RefusedError';
}

/** A node could not be reached or spoken to (refused, timeout, auth, not a cluster). Exit 1. */
export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
  constructor(
    readonly addr: string,
    readonly reason: string,
  ) {
    super(`cannot reach ${addr}: ${reason}`);
  }
}

/** The operation ran but did not complete (failed slot, sync timeout). Exit 1. */
export class OperationError extends Error {
  override readonly name: string = 'OperationError';
}

/** The run was interrupted by a signal and stopped gracefully. Exit 130. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
}

/** Map any error to its exit code. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof UsageError || error instanceof RefusedError) return ExitCode.usage;
  if (error instanceof InterruptedError) return ExitCode.interrupted;
  return ExitCode.failure;
}

/** The one-line message for any error, stack-free. */
export function messageOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim() || 'unknown error';
}
