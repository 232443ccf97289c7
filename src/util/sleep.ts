/** Resolve after `ms` milliseconds (polling loops of the lifecycle steps, the executor and sync). */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
