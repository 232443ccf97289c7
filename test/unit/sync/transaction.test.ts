import { describe, expect, it } from 'vitest';
import { planTransaction } from '../../../src/sync/transaction.js';
import { resp } from './command-fixtures.js';

describe('MULTI/EXEC grouping', () => {
  it('keeps a one-slot transaction atomic, applies a cross-slot one command by command, drops an empty one', () => {
    const a = { slot: 7, raw: resp('INCR', '{t}a') };
    const b = { slot: 7, raw: resp('RPUSH', '{t}b', 'x') };
    const c = { slot: 9, raw: resp('INCR', 'c') };
    const atomic = planTransaction([a, b]);
    expect(atomic).toMatchObject({ kind: 'atomic', slot: 7, commands: 4 });
    expect((atomic as { raw: Buffer }).raw.toString()).toBe(Buffer.concat([resp('MULTI'), a.raw, b.raw, resp('EXEC')]).toString());
    expect(planTransaction([a, c])).toEqual({ kind: 'split', parts: [a, c] });
    expect(planTransaction([a])).toEqual({ kind: 'split', parts: [a] });
    expect(planTransaction([])).toEqual({ kind: 'empty' });
  });
});
