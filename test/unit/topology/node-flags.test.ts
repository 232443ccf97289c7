import { describe, expect, it } from 'vitest';
import { isSuspect } from '../../../src/topology/node-flags.js';

describe('isSuspect', () => {
  it('a failing, suspected, handshaking or address-less node is suspect; a plain member is not', () => {
    for (const flag of ['fail', 'fail?', 'handshake', 'noaddr'] as const) expect(isSuspect({ flags: ['master', flag] })).toBe(true);
    expect(isSuspect({ flags: ['myself', 'master'] })).toBe(false);
    expect(isSuspect({ flags: ['slave', 'nofailover'] })).toBe(false);
  });
});
