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

/** Commands that move slots and take --nice. */
const MOVERS = new Set(['apply', 'rebalance', 'resume', 'fix', 'add-node', 'remove-node', 'replace-node']);

/** Lower this process' CPU priority (never raises it; a refusal is not worth failing a run for). */
export function yieldCpu(nice: number): void {
  try {
    setPriority(nice);
  } catch {
    // Not allowed here (a container policy): run at the current priority.
  }
}

/** The --nice a command line asks for (default DEFAULT_NICE), or null when it is not a mover or the value is not valid (yargs reports it later). */
export function niceFromArgv(argv: readonly string[]): number | null {
  if (!MOVERS.has(argv[0] ?? '')) return null;
  let value: string | undefined;
  argv.forEach((a, i) => {
    if (a === '--nice') value = argv[i + 1];
    else if (a.startsWith('--nice=')) value = a.slice('--nice='.length);
  });
  if (value === undefined) return DEFAULT_NICE;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 19 ? n : null;
}

// main.ts imports this module first, so this runs before the other modules load: the start-up of a
// command that moves slots (loading modules, reading the cluster, planning: about 0.4 s of CPU) runs
// at the lowered priority too. executePlan applies the validated --nice again.
const early = niceFromArgv(process.argv.slice(2));
if (early !== null) yieldCpu(early);
