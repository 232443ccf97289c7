import { slotOwnersOf } from '../topology/parse-cluster-nodes.js';
import type { ClusterNodeLine } from '../topology/types.js';
import { sleep } from '../util/sleep.js';
import type { ClusterAdmin } from './cluster-admin.js';

/** How long the end of a run waits for every master to show the new owners before it says so. */
export const SETTLE_TIMEOUT_MS = 2_000;
const SETTLE_EVERY_MS = 50;

/** The slots of `closed` (slot → new owner) that `view` gives to another node or to none. */
export function staleSlots(view: readonly ClusterNodeLine[], closed: ReadonlyMap<number, string>): number[] {
  const owners = slotOwnersOf(view);
  return [...closed].filter(([s, to]) => owners[s] !== to).map(([s]) => s);
}

/** A node's view is its own only when it is a master: replicas take their master's word, not SETSLOT. */
function ownView(view: readonly ClusterNodeLine[]): boolean {
  return view.some((l) => l.flags.includes('myself') && l.role === 'master');
}

/** `p`, or null once `ms` have passed: a node that hangs (stopped, not closed) must not hold up the end. */
function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<null>((r) => (timer = setTimeout(() => r(null), Math.max(0, ms))));
  return Promise.race([p.catch(() => null), late]).finally(() => clearTimeout(timer));
}

export interface Settled {
  /** SETSLOT NODEs sent to masters whose view had not caught up. */
  readonly told: number;
  /** Masters still showing an old owner when the wait ran out. */
  readonly unsettled: readonly string[];
}

/**
 * Make every master agree on the owner of every slot the run closed, before the run says it is done.
 * Masters other than a slot's source and target learn it from the target's claim on the cluster bus
 * (see othersNeedTelling), which can land a few milliseconds after the last slot closed: a
 * `slotpilot check` right after the run would then see a disagreement. So every master's view is
 * read; one that still shows an old owner is told directly (what the run skipped), and read again,
 * for at most `timeoutMs`. A master that does not answer in that time is left to gossip: it cannot
 * be told either.
 */
export async function settleOwners(admin: ClusterAdmin, closed: ReadonlyMap<number, string>, timeoutMs = SETTLE_TIMEOUT_MS): Promise<Settled> {
  const deadline = Date.now() + timeoutMs;
  let told = 0;
  if (!closed.size) return { told, unsettled: [] };
  for (let round = 0; ; round++) {
    const views = await Promise.all(
      admin.masters.map(async (id) => {
        const view = await within(admin.view(id), deadline - Date.now());
        return [id, view && ownView(view) ? staleSlots(view, closed) : []] as const;
      }),
    );
    const lagging = views.filter(([, slots]) => slots.length);
    if (!lagging.length) return { told, unsettled: [] };
    if (Date.now() >= deadline) return { told, unsettled: lagging.map(([id]) => id) };
    const sent = lagging.flatMap(([id, slots]) => slots.map((s) => admin.setSlot(id, s, 'NODE', closed.get(s)!)));
    told += sent.length;
    await within(Promise.all(sent), deadline - Date.now());
    // Told nodes answer at once; a retry (one that refused) gives gossip a moment first.
    if (round) await sleep(SETTLE_EVERY_MS);
  }
}
