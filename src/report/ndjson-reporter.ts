import type { RunHandle } from '../executor/events.js';

/** One JSON object per event and line, for scripts (`--json`). */
export function attachNdjsonReporter(handle: RunHandle, write: (line: string) => void): void {
  const off = handle.subscribe((e) => {
    write(JSON.stringify(e));
    if (e.type === 'run-end') off();
  });
}
