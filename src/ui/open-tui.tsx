import { render, type Instance } from 'ink';
import { App, type AppProps } from './App.js';

/**
 * Draw the app on this terminal.
 *
 * Node writes to a terminal synchronously, and a pty holds only about 4 KB: a frame of the execution
 * view is larger, so each write waited until the terminal (tmux, ssh, a terminal emulator) had read
 * it. On a busy machine that is tens of milliseconds during which the migration's replies sat
 * unread. Asynchronous writes queue the frame instead; frames are at least 250 ms apart, so the
 * queue stays short, and the CLI waits for stdout to drain before it exits.
 *
 * Not `incrementalRendering`: with Ink 6.8 it left stale lines behind in tmux whenever the frame's
 * height changed.
 */
export function openTui(props: AppProps): Instance {
  const handle = (process.stdout as { _handle?: { setBlocking?: (blocking: boolean) => void } })._handle;
  if (process.stdout.isTTY) handle?.setBlocking?.(false);
  return render(<App {...props} />, { exitOnCtrlC: false, patchConsole: false });
}
