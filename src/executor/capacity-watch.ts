/**
 * Watching the targets' memory while slots move: a target that reaches FILL_LIMIT of its maxmemory
 * would soon refuse writes (noeviction: OOM, the move stops half-way) or evict keys (any other
 * policy: data lost without a word), and any eviction on a target is a loss the run must report.
 * Pure: the run feeds it each target's INFO memory/stats figures; the first reading is the baseline.
 */
import { FILL_LIMIT } from '../planner/capacity.js';

export interface MemoryReading {
  readonly used: number;
  /** maxmemory; 0: no limit. */
  readonly max: number;
  readonly policy: string | null;
  /** `evicted_keys` and `expired_keys` since the node started. */
  readonly evicted: number;
  readonly expired: number;
}

export type CapacityAlarm =
  | { readonly kind: 'full'; readonly node: string; readonly used: number; readonly max: number; readonly policy: string | null }
  | { readonly kind: 'evicted'; readonly node: string; readonly keys: number; readonly used: number; readonly max: number; readonly policy: string | null };

export class CapacityWatch {
  /** First reading per node: evictions and expirations count from there. */
  readonly #base = new Map<string, MemoryReading>();
  readonly #last = new Map<string, MemoryReading>();
  /** Nodes already reported full (once each). */
  readonly #full = new Set<string>();

  /** Fold one reading; returns what must be reported now. */
  observe(node: string, r: MemoryReading): CapacityAlarm[] {
    const base = this.#base.get(node);
    const last = this.#last.get(node);
    this.#last.set(node, r);
    if (!base) {
      this.#base.set(node, r);
      return this.#fullAlarm(node, r);
    }
    const alarms: CapacityAlarm[] = [];
    const fresh = r.evicted - (last?.evicted ?? base.evicted);
    if (fresh > 0) alarms.push({ kind: 'evicted', node, keys: fresh, used: r.used, max: r.max, policy: r.policy });
    return [...alarms, ...this.#fullAlarm(node, r)];
  }

  #fullAlarm(node: string, r: MemoryReading): CapacityAlarm[] {
    if (!(r.max > 0 && r.used >= r.max * FILL_LIMIT) || this.#full.has(node)) return [];
    this.#full.add(node);
    return [{ kind: 'full', node, used: r.used, max: r.max, policy: r.policy }];
  }

  /** Keys evicted and expired on the watched nodes since their first reading. */
  totals(): { evicted: number; expired: number } {
    let evicted = 0;
    let expired = 0;
    for (const [node, base] of this.#base) {
      const last = this.#last.get(node) ?? base;
      evicted += Math.max(0, last.evicted - base.evicted);
      expired += Math.max(0, last.expired - base.expired);
    }
    return { evicted, expired };
  }
}
