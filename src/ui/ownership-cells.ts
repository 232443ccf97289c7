import type { Topology, TopologyNode } from '../topology/types.js';
import type { MapCell } from './SlotMap.js';
import { foldSlots, masterStyle } from './slot-map.js';

/** The ownership map's cells: each master's mark and colour, `.` for a slot without owner. */
export function ownershipCells(t: Topology, masters: readonly TopologyNode[], cells: number): MapCell[] {
  const index = new Map(masters.map((m, i) => [m.id, i]));
  return foldSlots((slot) => index.get(t.slotOwners[slot] ?? '') ?? -1, cells).map((i) => (i < 0 ? { mark: '.', color: 'red' } : masterStyle(i)));
}
