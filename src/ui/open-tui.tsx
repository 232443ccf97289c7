import { render, type Instance } from 'ink';
import { App, type AppProps } from './App.js';

/**
 * Draw the app on this terminal. Not `incrementalRendering`: with Ink 6.8 it left stale lines behind
 * in tmux whenever the frame's height changed (spinner line gone, screens switched).
 */
export function openTui(props: AppProps): Instance {
  return render(<App {...props} />, { exitOnCtrlC: false, patchConsole: false });
}
