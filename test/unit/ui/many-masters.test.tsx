import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { makePlan } from '../../../src/planner/make-plan.js';
import { initialBuilder, mastersInOrder, moveCursor } from '../../../src/ui/builder-state.js';
import { Overview } from '../../../src/ui/Overview.js';
import { PlanBuilder } from '../../../src/ui/PlanBuilder.js';
import { visibleWindow } from '../../../src/ui/visible-window.js';
import { liveTopology } from './fixtures.js';

afterEach(() => cleanup());

/** `n` masters sharing the slots, each with `replicas` replicas. */
function bigCluster(n: number, replicas = 0) {
  const id = (i: number): string => i.toString(16).padStart(40, '0');
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const from = Math.floor((i * 16384) / n);
    const to = Math.floor(((i + 1) * 16384) / n) - 1;
    lines.push(`${id(i + 1)} 10.0.0.${i + 1}:6379@16379 master - 0 0 ${i + 1} connected ${from}-${to}`);
    for (let r = 0; r < replicas; r++) lines.push(`${id(100 + i * 10 + r)} 10.0.1.${i * 10 + r}:6379@16379 slave ${id(i + 1)} 0 0 ${i + 1} connected`);
  }
  // One master just joined, without slots.
  lines.push(`${id(99)} 10.0.0.99:6379@16379 master - 0 0 99 connected`);
  return liveTopology(lines.join('\n'));
}

/** Lines the app adds around a screen: title, margin, two lines of key help at 80 columns. */
const OUTSIDE = 4;

describe('many masters on a 24-row terminal', () => {
  it('visibleWindow keeps the focus in view and counts the markers', () => {
    expect(visibleWindow(5, 10, 4)).toEqual({ start: 0, end: 5 });
    expect(visibleWindow(20, 8, 0)).toEqual({ start: 0, end: 6 });
    expect(visibleWindow(20, 8, 19)).toEqual({ start: 14, end: 20 });
    expect(visibleWindow(20, 8, 10)).toEqual({ start: 7, end: 13 });
  });

  it('the plan builder scrolls its fields and keeps the masters that change most in the preview', () => {
    const t = bigCluster(9);
    const masters = mastersInOrder(t);
    let state = initialBuilder(masters);
    for (let i = 0; i < 12; i++) state = moveCursor(state, masters, 1); // down to the last weights
    const plan = makePlan(t, { strategy: 'rebalance', by: 'slots', useEmptyMasters: true }, 'test');
    const { lastFrame } = render(<PlanBuilder state={state} masters={masters} preview={{ plan }} columns={80} rows={24} message={null} />);
    const frame = lastFrame()!;
    expect(frame.split('\n').length + OUTSIDE).toBeLessThan(24);
    expect(frame).toMatch(/… \d+ more above/);
    // The field under the cursor is in view.
    expect(frame).toMatch(/› weight J +‹ 1 +10\.0\.0\.99:6379 ›/);
    // The new master gains the most: it stays in the preview.
    expect(frame).toMatch(/10\.0\.0\.99:6379 +░+ → █+/);
    expect(frame).toMatch(/… \d+ more masters, unchanged or changing least/);
    expect(frame).toMatch(/moves: [\d,]+ slots/);
  });

  it('the overview counts the nodes that do not fit and keeps a map row', () => {
    const t = bigCluster(6, 2);
    const { lastFrame } = render(<Overview topology={t} columns={80} rows={24} freshness="" />);
    const frame = lastFrame()!;
    expect(frame.split('\n').length + OUTSIDE).toBeLessThan(24);
    expect(frame).toMatch(/… \d+ more nodes \(a taller terminal shows them\)/);
    expect(frame).toMatch(/^[A-F]{78}$/m);
    expect(frame).toMatch(/✓ all slots covered once/);
  });
});
