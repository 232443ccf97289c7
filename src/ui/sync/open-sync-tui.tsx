import type { SyncHandle } from '../../sync/events.js';

/** Placeholder until the screen lands. */
export function openSyncTui(_handle: SyncHandle, _journal: string): { waitUntilExit(): Promise<void> } {
  return { waitUntilExit: async () => undefined };
}
