import { useApp } from 'ink';
import { useEffect } from 'react';
import type { SyncHandle } from '../../sync/events.js';
import { useKeys } from '../use-keys.js';
import { useTerminalSize } from '../use-terminal-size.js';
import { useTicker } from '../use-ticker.js';
import { SyncScreen } from './SyncScreen.js';
import type { SyncTracker } from './sync-tracker.js';

export interface SyncAppProps {
  /** The run: the screen subscribes to it and never starts or drives it, except to stop it. */
  readonly handle: SyncHandle;
  /** Figures folded from the run's events (subscribed by the caller before the first event). */
  readonly tracker: SyncTracker;
  /** Shortest time between frames, ms. */
  readonly frameMs?: number;
}

/** The sync screen, redrawn as the run's figures move; `q` stops the run; it closes when the run ends. */
export function SyncApp({ handle, tracker, frameMs = 250 }: SyncAppProps) {
  const { exit } = useApp();
  const { columns } = useTerminalSize();
  useTicker(tracker, frameMs);
  useKeys((input) => {
    if (input === 'q') handle.interrupt();
  });
  useEffect(() => {
    void handle.done.finally(() => setTimeout(exit, frameMs + 50));
  }, [handle, exit, frameMs]);
  return <SyncScreen tracker={tracker} columns={columns} now={Date.now()} />;
}
