import { describe, expect, it } from 'vitest';
import { decideCutover, isInSync, lagOf, type SourcePosition } from '../../../src/sync/lag.js';

const at = (p: Partial<SourcePosition>): SourcePosition => ({ addr: 's:1', masterOffset: 1000, receivedOffset: 1000, appliedOffset: 1000, oldestReceivedAt: null, streaming: true, ...p });

describe('lag and cut-over decisions', () => {
  it('measures lag in bytes from the source\'s offset and in seconds from the oldest unapplied command', () => {
    expect(lagOf(at({ appliedOffset: 400, oldestReceivedAt: 9_500 }), 10_000)).toEqual({ bytes: 600, seconds: 0.5 });
    expect(lagOf(at({ masterOffset: null }), 0).bytes).toBeNull();
    expect(isInSync(at({}))).toBe(true);
    expect(isInSync(at({ streaming: false }))).toBe(false);
    expect(isInSync(at({ appliedOffset: 999 }))).toBe(false);
  });

  it('pauses once every source streams with a small lag, then waits for the paused offsets, within the timeout', () => {
    const state = { startedAt: 0, pausedAt: null };
    expect(decideCutover([at({ appliedOffset: 0, masterOffset: 5_000_000 })], state, 10, 60_000)).toEqual({ kind: 'wait' });
    expect(decideCutover([at({ oldestReceivedAt: 0 })], state, 1500, 60_000)).toEqual({ kind: 'wait' });
    expect(decideCutover([at({ streaming: false })], state, 10, 60_000)).toEqual({ kind: 'wait' });
    expect(decideCutover([at({ appliedOffset: 900 }), at({ addr: 's:2' })], state, 10, 60_000)).toEqual({ kind: 'pause' });
    const paused = { startedAt: 0, pausedAt: new Map([['s:1', 1200]]) };
    expect(decideCutover([at({ appliedOffset: 1100 })], paused, 10, 60_000)).toEqual({ kind: 'wait' });
    expect(decideCutover([at({ appliedOffset: 1200 })], paused, 10, 60_000)).toEqual({ kind: 'in-sync' });
    expect(decideCutover([at({ appliedOffset: 1100 })], paused, 60_001, 60_000)).toMatchObject({ kind: 'timeout', reason: expect.stringMatching(/1100 of 1200/) });
    expect(decideCutover([at({ streaming: false })], state, 60_001, 60_000)).toMatchObject({ kind: 'timeout', reason: expect.stringMatching(/full sync/) });
  });
});
