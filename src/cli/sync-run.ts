import { InterruptedError, OperationError, RefusedError, UnreachableError } from '../errors.js';
import { attachSyncNdjsonReporter, attachSyncPlainReporter } from '../report/sync-reporter.js';
import type { SyncHandle } from '../sync/events.js';
import { prepareInkEnv } from './ink-env.js';
import { stopOnSignals } from './on-signals.js';
import { bufferedLines, isInteractive, printLine } from './output.js';

export interface FollowSyncOptions {
  readonly json: boolean;
  /** true/false as given; undefined: the screen in a terminal, lines elsewhere. */
  readonly tui: boolean | undefined;
  readonly journal: string;
  readonly metrics: { readonly host: string; readonly port: number } | null;
}

/**
 * Report a sync as it runs (NDJSON, lines, or the terminal screen), serve its metrics, stop it on
 * the first Ctrl-C / SIGTERM (what was sent is acknowledged and the checkpoint written) and at once
 * on the second, and turn the outcome into the command's exit: 0 once in sync or cut over, 130
 * interrupted, 1 a failure (2 for a refusal before anything was written).
 */
export async function followSync(handle: SyncHandle, opts: FollowSyncOptions): Promise<void> {
  // Loaded only when asked for: prom-client's modules took ~20 ms of every command's start-up.
  const metrics = opts.metrics ? await (await import('../sync/metrics.js')).serveSyncMetrics(handle, opts.metrics.host, opts.metrics.port) : null;
  let screen: { waitUntilExit(): Promise<void> } | null = null;
  if (opts.json) {
    const out = bufferedLines((text) => process.stdout.write(text));
    attachSyncNdjsonReporter(handle, out.line);
    void handle.done.finally(out.flush);
  } else if (opts.tui ?? isInteractive()) {
    prepareInkEnv(); // the screen draws with CI set too
    const { openSyncTui } = await import('../ui/sync/open-sync-tui.js');
    screen = openSyncTui(handle, opts.journal);
  } else attachSyncPlainReporter(handle, printLine);
  if (metrics) printLine(`metrics: http://${opts.metrics!.host}:${metrics.port}/metrics`);
  const off = stopOnSignals(() => handle.interrupt());
  try {
    const s = await handle.done;
    await screen?.waitUntilExit();
    const again = `re-run with --journal ${opts.journal} to continue from the applied offset`;
    if (s.evicted > 0) throw new OperationError(`${s.evicted} keys were evicted on the targets during the sync and are lost`);
    if (s.failed) {
      const first = handle.failure();
      if (first instanceof RefusedError || first instanceof UnreachableError) throw first;
      throw new OperationError(`${s.reason ?? 'the sync failed'}; ${again}`);
    }
    if (s.stoppedBy === 'signal') throw new InterruptedError(`interrupted at offset${s.sources.length > 1 ? 's' : ''} ${s.sources.map((x) => x.appliedOffset).join(', ')}; ${again}`);
  } finally {
    metrics?.close();
    off();
  }
}
