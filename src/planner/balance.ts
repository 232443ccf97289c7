/**
 * The balancing arithmetic, pure and independent of Redis: who gives which slots, who receives them.
 * Slots are integers 0..16383; a "measure" is what is being balanced (1 per slot, keys, or bytes);
 * a "cost" is what a move costs (keys, or bytes when balancing memory).
 */

export interface Participant {
  readonly id: string;
  readonly weight: number;
  /** Slots it owns now, ascending. */
  readonly slots: readonly number[];
}

export interface Assignment {
  readonly slot: number;
  readonly from: string;
  readonly to: string;
}

type Measure = (slot: number) => number;

/** Integer shares of `total` proportional to `weights`, summing exactly to `total` (largest remainder). */
export function integerTargets(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (sum > 0 ? (total * w) / sum : 0));
  const floors = exact.map(Math.floor);
  let left = total - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    floors[i]!++;
    left--;
  }
  return floors;
}

/** The `n` slots that cost least to move; equal costs keep ascending slot order, so ranges stay whole. */
export function cheapestSlots(slots: readonly number[], n: number, cost: Measure): number[] {
  if (n <= 0) return [];
  const sorted = [...slots].sort((a, b) => cost(a) - cost(b) || a - b);
  return sorted.slice(0, n).sort((a, b) => a - b);
}

/**
 * The `n` slots, consecutive in `slots` (ascending), that cost least to move together; equal costs
 * keep the lowest start. A donor giving a run instead of its cheapest slots scattered over its range
 * leaves the cluster with a few slot ranges instead of thousands: every client's slot-map refresh
 * (CLUSTER SLOTS, parsed by the client on each MOVED) grows with the number of ranges, and during a
 * rebalance clients refresh dozens of times. With keys skewed by slot the run still avoids the hot
 * part of the donor's range.
 */
export function cheapestRun(slots: readonly number[], n: number, cost: Measure): number[] {
  if (n <= 0) return [];
  if (n >= slots.length) return [...slots];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += cost(slots[i]!);
  let best = sum;
  let bestStart = 0;
  for (let start = 1; start + n <= slots.length; start++) {
    sum += cost(slots[start + n - 1]!) - cost(slots[start - 1]!);
    if (sum < best) {
      best = sum;
      bestStart = start;
    }
  }
  return slots.slice(bestStart, bestStart + n);
}

/**
 * Slots adding up to at most `excess` of the measure, largest first (fewest slots for the data that
 * must move anyway). Slots that weigh nothing do not help and stay.
 */
export function slotsToShed(slots: readonly number[], excess: number, measure: Measure): number[] {
  const sorted = [...slots].filter((s) => measure(s) > 0).sort((a, b) => measure(b) - measure(a) || a - b);
  const chosen: number[] = [];
  let left = excess;
  for (const slot of sorted) {
    if (left <= 0) break;
    const m = measure(slot);
    if (m <= left) {
      chosen.push(slot);
      left -= m;
    }
  }
  return chosen.sort((a, b) => a - b);
}

export interface Receiver {
  readonly id: string;
  /** How much of the measure it still wants; may be negative when every receiver is full. */
  readonly deficit: number;
}

/**
 * Hand out `pool` (slots leaving `fromOf(slot)`) to receivers. Counting slots, each receiver gets a
 * number of slots by water-filling its deficit and then contiguous chunks, in receiver order. By keys
 * or memory, the heaviest slot goes first to whoever wants most (longest-processing-time rule).
 */
export function assignPool(
  pool: readonly number[],
  receivers: readonly Receiver[],
  measure: Measure,
  countingSlots: boolean,
  fromOf: (slot: number) => string,
): Assignment[] {
  if (!pool.length) return [];
  if (!receivers.length) throw new Error('assignPool: no receiver for the slots');
  const want = receivers.map((r) => r.deficit);
  const pick = (): number => {
    let best = 0;
    for (let i = 1; i < want.length; i++) if (want[i]! > want[best]!) best = i;
    return best;
  };
  const out: Assignment[] = [];
  if (countingSlots) {
    const counts = new Array<number>(receivers.length).fill(0);
    for (let n = 0; n < pool.length; n++) {
      const i = pick();
      counts[i]!++;
      want[i]!--;
    }
    const ordered = [...pool].sort((a, b) => a - b);
    let next = 0;
    receivers.forEach((r, i) => {
      for (let k = 0; k < counts[i]!; k++) {
        const slot = ordered[next++]!;
        out.push({ slot, from: fromOf(slot), to: r.id });
      }
    });
  } else {
    const ordered = [...pool].sort((a, b) => measure(b) - measure(a) || a - b);
    for (const slot of ordered) {
      const i = pick();
      want[i]! -= measure(slot);
      out.push({ slot, from: fromOf(slot), to: receivers[i]!.id });
    }
  }
  return out;
}

/** True when every weighted participant is within `thresholdPct` of its target and no zero-weight one holds a slot. */
export function isBalanced(loads: readonly number[], targets: readonly number[], parts: readonly Participant[], thresholdPct: number): boolean {
  return parts.every((p, i) => {
    if (p.weight === 0) return p.slots.length === 0;
    const target = targets[i]!;
    if (target === 0) return loads[i] === 0;
    return (Math.abs(loads[i]! - target) / target) * 100 <= thresholdPct;
  });
}

export interface BalanceResult {
  readonly assignments: Assignment[];
  readonly balanced: boolean;
}

/**
 * Move slots between participants so each ends near `total × weight ÷ Σweights` of the measure.
 * Counting slots, targets are exact integers and each donor gives its cheapest run of slots; by keys or
 * memory, donors shed their heaviest slots that fit their excess. Zero-weight participants give
 * every slot. Never moves a slot twice: donors and receivers are disjoint.
 */
export function balance(parts: readonly Participant[], measure: Measure, cost: Measure, countingSlots: boolean, thresholdPct: number): BalanceResult {
  const loads = parts.map((p) => p.slots.reduce((sum, s) => sum + measure(s), 0));
  const total = loads.reduce((a, b) => a + b, 0);
  const weights = parts.map((p) => p.weight);
  const wsum = weights.reduce((a, b) => a + b, 0);
  const targets = countingSlots ? integerTargets(total, weights) : weights.map((w) => (total * w) / wsum);
  if (isBalanced(loads, targets, parts, thresholdPct)) return { assignments: [], balanced: true };

  const owner = new Map<number, string>();
  const pool: number[] = [];
  parts.forEach((p, i) => {
    const excess = loads[i]! - targets[i]!;
    let give: number[] = [];
    if (p.weight === 0) give = [...p.slots];
    else if (excess > 0) give = countingSlots ? cheapestRun(p.slots, excess, cost) : slotsToShed(p.slots, excess, measure);
    for (const slot of give) {
      owner.set(slot, p.id);
      pool.push(slot);
    }
  });
  const donors = new Set(owner.values());
  const receivers = parts
    .map((p, i) => ({ id: p.id, deficit: targets[i]! - loads[i]!, weight: p.weight }))
    .filter((r) => r.weight > 0 && !donors.has(r.id))
    .map(({ id, deficit }) => ({ id, deficit }));
  if (pool.length && !receivers.length) return { assignments: [], balanced: false };
  return { assignments: assignPool(pool, receivers, measure, countingSlots, (s) => owner.get(s)!), balanced: false };
}
