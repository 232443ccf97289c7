import { describe, expect, it } from 'vitest';
import { INTERRUPT_BUDGET, tieringFlag } from '../../../src/cli/early-tiering.js';

describe('tieringFlag', () => {
  it('raises the interrupt budget by default', () => {
    expect(tieringFlag([], undefined)).toBe(`--interrupt-budget=${INTERRUPT_BUDGET}`);
    expect(tieringFlag(['--enable-source-maps'], '--max-old-space-size=512')).toBe(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  });

  it("keeps the user's own budget, from node's arguments or NODE_OPTIONS, in either spelling", () => {
    expect(tieringFlag(['--interrupt-budget=67584'], undefined)).toBeNull();
    expect(tieringFlag([], '--trace-opt --interrupt_budget=1000')).toBeNull();
  });
});
