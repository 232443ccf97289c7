import { DEFAULT_NICE, yieldCpu } from '../util/priority.js';

/** Commands that move slots and take --nice. */
const MOVERS = new Set(['apply', 'rebalance', 'resume', 'fix', 'add-node', 'remove-node', 'replace-node']);

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
