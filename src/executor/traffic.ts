/**
 * Are clients using the cluster while slotpilot moves slots? Read from each master's
 * INFO commandstats: every command that is not slotpilot's own kind (CLUSTER …, MIGRATE, INFO,
 * replication and connection chatter) counts as client traffic. The executor moves at full speed on
 * a quiet cluster and gently while clients are active (see `Pace`).
 */

/**
 * Commands that are not application traffic: slotpilot's own, a client's slot-map refreshes, replicas,
 * monitoring. MULTI/EXEC too: slotpilot's claims are transactions, and a client's transaction is
 * counted by the commands inside it.
 */
const NOT_TRAFFIC = /^(cluster|migrate|restore-asking|asking|info|ping|echo|client|auth|hello|select|command|config|latency|slowlog|replconf|psync|sync|readonly|readwrite|quit|reset|multi|exec)(\||$)/;

/** Client commands a node has answered since it started (INFO commandstats), or null when it does not say. */
export function clientCalls(info: string): number | null {
  if (!info.includes('cmdstat_')) return null;
  let calls = 0;
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) if (!NOT_TRAFFIC.test(m[1]!)) calls += Number(m[2]);
  return calls;
}

/** `fast`: every source at once; `gentle`: at most two sources per target and one MIGRATE per source at a time. */
export type PaceMode = 'fast' | 'gentle';
/** `auto` (default): fast while no client traffic is seen, gentle while there is. */
export type PaceSetting = PaceMode | 'auto';

/** Client commands per second, summed over the masters, above which a run moves gently. */
export const BUSY_OPS_PER_SEC = 50;
/** A run goes back to full speed only after this long without client traffic (no flapping). */
export const QUIET_MS = 2000;

/**
 * Folds samples of each node's client calls into a pace. Pure (time comes in), so the decisions are
 * unit-tested; the run samples every master every few hundred ms.
 */
export class TrafficWatch {
  readonly #last = new Map<string, { calls: number; at: number }>();
  readonly #rate = new Map<string, number>();
  #lastBusy = -Infinity;
  #mode: PaceMode;
  readonly #setting: PaceSetting;

  constructor(setting: PaceSetting) {
    this.#setting = setting;
    this.#mode = setting === 'gentle' ? 'gentle' : 'fast';
  }

  get mode(): PaceMode {
    return this.#mode;
  }

  /** Client commands per second over all nodes, from each node's last two samples. */
  get opsPerSec(): number {
    let sum = 0;
    for (const r of this.#rate.values()) sum += r;
    return Math.round(sum);
  }

  /** Record one node's sample; returns the new mode when it changed, else null. */
  observe(node: string, calls: number | null, at: number): PaceMode | null {
    if (calls === null) return null;
    const last = this.#last.get(node);
    this.#last.set(node, { calls, at });
    if (last && at > last.at && calls >= last.calls) this.#rate.set(node, ((calls - last.calls) * 1000) / (at - last.at));
    if (this.#setting !== 'auto') return null;
    const busy = this.opsPerSec >= BUSY_OPS_PER_SEC;
    if (busy) this.#lastBusy = at;
    const want: PaceMode = busy || at - this.#lastBusy < QUIET_MS ? 'gentle' : 'fast';
    if (want === this.#mode) return null;
    this.#mode = want;
    return want;
  }
}
