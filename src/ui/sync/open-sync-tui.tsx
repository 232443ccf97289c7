import { render } from 'ink';
import type { SyncHandle } from '../../sync/events.js';
import { SyncApp } from './SyncApp.js';
import { SyncTracker } from './sync-tracker.js';

/**
 * Draw the sync screen on this terminal until the run ends (`q` or Ctrl-C stops it). The tracker
 * subscribes now, before the run's first event; writes to the terminal are asynchronous, as in
 * open-tui.tsx, so a slow terminal never holds up the stream.
 */
export function openSyncTui(handle: SyncHandle, _journal: string): { waitUntilExit(): Promise<void> } {
  const tracker = new SyncTracker();
  handle.subscribe((e) => tracker.apply(e));
  const out = (process.stdout as { _handle?: { setBlocking?: (blocking: boolean) => void } })._handle;
  if (process.stdout.isTTY) out?.setBlocking?.(false);
  const app = render(<SyncApp handle={handle} tracker={tracker} />, { exitOnCtrlC: false, patchConsole: false });
  return { waitUntilExit: () => app.waitUntilExit().then(() => undefined) };
}
