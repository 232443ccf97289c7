/** Where commands print. Kept in one place so tests and the TUI can tell what goes to a terminal. */
export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printError(text: string): void {
  process.stderr.write(`slotpilot: ${text}\n`);
}

/** Whether stdin and stdout are a terminal a person can answer prompts on. */
export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY);
}

/**
 * Lines gathered and written every `everyMs` (and on exit) instead of one by one: stdout into a pipe
 * is synchronous in Node, and NDJSON events come by the tens of thousands per run, each write a
 * system call taken from the run. Readers still get whole lines within `everyMs`.
 */
export function bufferedLines(write: (text: string) => void, everyMs = 100): { line(text: string): void; flush(): void } {
  let lines: string[] = [];
  const flush = (): void => {
    if (!lines.length) return;
    const text = lines.join('');
    lines = [];
    write(text);
  };
  const timer = setInterval(flush, everyMs);
  timer.unref();
  process.on('exit', flush);
  return {
    line(text) {
      lines.push(`${text}\n`);
    },
    flush,
  };
}
