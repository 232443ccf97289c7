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
