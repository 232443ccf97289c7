import { describe, expect, it } from 'vitest';
import { INTERRUPT_BUDGET, tieringFlag } from '../../../src/cli/early-tiering.js';

const NODE20_V8 = '11.3.244.8-node.38';

describe('tieringFlag', () => {
  it('raises the interrupt budget on Node 20 by default', () => {
    expect(tieringFlag([], undefined, NODE20_V8)).toBe(`--interrupt-budget=${INTERRUPT_BUDGET}`);
    expect(tieringFlag(['--enable-source-maps'], '--max-old-space-size=512', NODE20_V8)).toBe(`--interrupt-budget=${INTERRUPT_BUDGET}`);
  });

  it("keeps the user's own budget, from node's arguments or NODE_OPTIONS, in either spelling", () => {
    expect(tieringFlag(['--interrupt-budget=67584'], undefined, NODE20_V8)).toBeNull();
    expect(tieringFlag([], '--trace-opt --interrupt_budget=1000', NODE20_V8)).toBeNull();
  });

  it('sets nothing on Node 22 and 24, whose V8 has no such flag', () => {
    expect(tieringFlag([], undefined, '12.4.254.21-node.57')).toBeNull();
    expect(tieringFlag([], undefined, '13.6.233.17-node.63')).toBeNull();
  });
});
