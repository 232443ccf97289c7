import type { CapacityEvent, IntroduceEvent, KeyAccounting, RunExposure, SameCopyEvent } from '../executor/events.js';
import { quoteKey } from '../redis/key-name.js';
import { formatBytes, formatCount, formatDuration } from '../util/format.js';

/** One line for a new master's introduction to the clients (plain output and the TUI). */
export function describeIntroduce(e: IntroduceEvent, addr: string): string {
  const seen = e.clients != null && e.baseline != null ? ` (${e.clients} client connections on it, ${e.baseline} on the least connected loaded master)` : '';
  if (e.step === 'start') return `introducing ${addr} (it owns no slot yet): its first slot moves alone, then ${Math.max(0, e.slots - 1)} more, before other slots open towards it`;
  if (e.step === 'waiting') return `${addr} owns ${e.slots} slots now: waiting for the clients to connect to it${seen}`;
  const after = e.waitedMs ? ` after ${formatDuration(e.waitedMs / 1000)}` : '';
  switch (e.reason) {
    case 'clients':
      return `${addr} introduced: the clients connected to it${after}${seen}; moving the rest`;
    case 'timeout':
      return `${addr}: not every client connected to it${after}${seen}; moving the rest (clients that only learn a node from MOVED may see an error)`;
    case 'quiet':
      return `${addr}: no client traffic, nobody to wait for; moving the rest`;
    default:
      return `${addr}: its intro slots were all it takes`;
  }
}

/** The run's open-slot exposure in words (summary lines). */
export function describeExposure(x: RunExposure): string {
  return `open-slot exposure ${x.slotSeconds.toFixed(1)} slot-s (at most ${formatCount(x.maxOpen)} open at once, ${formatCount(x.closingBursts)} closing bursts)`;
}

/** One line for a target's memory alarm. */
export function describeCapacity(e: CapacityEvent, addr: string): string {
  const fill = e.max ? `${Math.round((e.used / e.max) * 100)}% of its maxmemory (${formatBytes(e.used)} of ${formatBytes(e.max)}, ${e.policy ?? 'noeviction'})` : formatBytes(e.used);
  if (e.kind === 'evicted') return `${addr} evicted ${formatCount(e.keys ?? 0)} keys at ${fill}: those keys are lost`;
  return `${addr} is at ${fill}: starting no more slots towards it`;
}

/** One line for copies a lost MIGRATE reply had left on a target, overwritten. */
export function describeSameCopy(e: SameCopyEvent, addr: string): string {
  const more = e.keys > 1 ? ` and ${formatCount(e.keys - 1)} more` : '';
  return `slot ${e.slot}: key ${quoteKey(e.key)}${more} already on ${addr} with the source's value (an earlier MIGRATE's reply was lost): overwritten`;
}

/** Every key accounted for, in words (summary lines). */
export function describeAccounting(a: KeyAccounting): string {
  const found = a.found === null ? '' : `, ${formatCount(a.found)} in the moved slots on their targets now`;
  return `keys: ${formatCount(a.planned)} planned, ${formatCount(a.moved)} moved${found}; ${formatCount(a.evicted)} evicted and ${formatCount(a.expired)} expired on the targets during the run`;
}
