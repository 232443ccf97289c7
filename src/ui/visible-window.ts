/**
 * Which items of a list fit in `room` lines, keeping `focus` in view: `[start, end)`. A list longer
 * than the room loses a line at each cut end to a "… n more" marker, so those lines are counted too.
 * Pure, so short terminals are tested without one.
 */
export function visibleWindow(count: number, room: number, focus = 0): { start: number; end: number } {
  if (count <= room) return { start: 0, end: count };
  const shown = Math.max(1, room - 2);
  const start = Math.max(0, Math.min(count - shown, focus - Math.floor(shown / 2)));
  return { start, end: start + shown };
}
