import { InterruptedError, OperationError } from '../errors.js';
import { quoteKey } from '../redis/key-name.js';
import type { ImportEvent, ImportHandle } from '../import/types.js';
import { attachImportNdjsonReporter, attachImportPlainReporter } from '../report/import-reporter.js';
import { formatCount } from '../util/format.js';
import { stopOnSignals } from './on-signals.js';
import { printLine } from './output.js';

/**
 * Report an import as it runs (NDJSON with --json, progress lines otherwise), stop gracefully on
 * the first Ctrl-C / SIGTERM and at once on the second, and turn the outcome into the command's
 * error: interrupted (130), a conflict or failure (1), a failed verification (1). Shared by
 * `import --from` and `import --rdb`.
 */
export async function followImport(handle: ImportHandle, opts: { readonly json: boolean; readonly batch: number; readonly journal: string }): Promise<void> {
  if (opts.json) attachImportNdjsonReporter(handle, (line) => process.stdout.write(`${line}\n`));
  else attachImportPlainReporter(handle, printLine, opts.batch);
  let firstConflict: Extract<ImportEvent, { type: 'conflict' }> | null = null;
  let firstFailure: string | null = null;
  handle.subscribe((e) => {
    if (e.type === 'conflict') firstConflict ??= e;
    if (e.type === 'batch-failed') firstFailure ??= e.reason;
  });

  // Quitting at once is safe too: keys are deleted from a source only after the cluster acknowledged them.
  const off = stopOnSignals(() => handle.interrupt());
  try {
    const s = await handle.done;
    const rerun = 'run the same command again to continue';
    if (s.stoppedBy === 'signal') throw new InterruptedError(`interrupted after ${formatCount(s.restored)} keys; ${rerun} (journal ${opts.journal})`);
    const conflict = firstConflict as Extract<ImportEvent, { type: 'conflict' }> | null;
    if (conflict) {
      throw new OperationError(`key ${quoteKey(conflict.key)} already exists in the cluster (${conflict.master}) with a different value; nothing was overwritten (${s.conflicts} conflict(s); --replace overwrites). ${formatCount(s.restored)} keys were imported before stopping`);
    }
    if (firstFailure) throw new OperationError(`${firstFailure}; ${formatCount(s.restored)} keys imported before stopping; ${rerun}`);
    if (s.verify && !s.verify.ok) {
      const m = s.verify.mismatches[0]!;
      throw new OperationError(`verification failed: ${m.key === '*' ? '' : `key ${quoteKey(m.key)} `}${m.problem}${s.verify.mismatches.length > 1 ? ` (and ${s.verify.mismatches.length - 1} more)` : ''}`);
    }
  } finally {
    off();
  }
}
