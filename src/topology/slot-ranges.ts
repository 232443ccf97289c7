import { UsageError } from '../errors.js';
import { SLOT_COUNT, type SlotRange } from './types.js';

/** Sorted, de-duplicated slots folded into inclusive ranges. */
export function toSlotRanges(slots: Iterable<number>): SlotRange[] {
  const sorted = [...new Set(slots)].sort((a, b) => a - b);
  const ranges: Array<[number, number]> = [];
  for (const slot of sorted) {
    const last = ranges[ranges.length - 1];
    if (last && slot === last[1] + 1) last[1] = slot;
    else ranges.push([slot, slot]);
  }
  return ranges;
}

/** `0-99,200,4000-4010`: how slot lists are written in messages and accepted on the command line. */
export function formatSlotRanges(slots: Iterable<number>, maxRanges = 20): string {
  const ranges = toSlotRanges(slots);
  const text = ranges.slice(0, maxRanges).map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
  if (ranges.length > maxRanges) text.push(`… (${ranges.length - maxRanges} more ranges)`);
  return text.join(',');
}

/** Parse `0-99,200,4000-4010`; UsageError naming the bad part. */
export function parseSlotList(text: string, what = '--slots'): number[] {
  const slots = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw new UsageError(`Expected ${what} to be a list like 0-99,200, got "${part}"`);
    const start = Number(m[1]);
    const end = Number(m[2] ?? m[1]);
    for (const n of [start, end]) {
      if (n >= SLOT_COUNT) throw new UsageError(`slot ${n} in ${what} is out of range 0-${SLOT_COUNT - 1}`);
    }
    if (end < start) throw new UsageError(`slot range "${part.trim()}" in ${what} ends before it starts`);
    for (let s = start; s <= end; s++) slots.add(s);
  }
  return [...slots].sort((a, b) => a - b);
}
