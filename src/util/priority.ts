import { setPriority } from 'node:os';

/**
 * slotpilot's default CPU priority while it moves slots. On a machine it shares with Redis nodes or
 * their clients (a small host, the bench), a full-speed slotpilot competes with them for the cores
 * and client latency suffers from the scheduler, not from Redis; at nice 19 they come first and
 * slotpilot takes what is left. Measured on the 2-core bench host with a process burning 90% of a
 * core next to an 8-writer client: client p99 0.41 ms alone, 1.33 ms with the burner at nice 10,
 * 0.45 ms at nice 19 — and the idle rebalance ran as fast at 19 as at 0 (3.2 s either way).
 * On a machine of its own this changes nothing.
 */
export const DEFAULT_NICE = 19;

/**
 * Lower the calling thread's CPU priority (on Linux a priority is per thread, and threads started
 * later inherit it). A refusal is not worth failing a run for.
 */
export function yieldCpu(nice: number): void {
  try {
    setPriority(nice);
  } catch {
    // Not allowed here (a container policy): run at the current priority.
  }
}
