/**
 * Wait for a condition the test needs, never for a fixed time: polls `check` until it returns
 * something truthy (returned) or `timeoutMs` passes, then fails saying what it waited for and, when
 * `check` threw, its last error.
 */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, { timeoutMs = 20_000, everyMs = 50 } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}${last ? ` (last error: ${String((last as Error).message ?? last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
