import { describe, expect, it } from 'vitest';
import { findFreePorts } from '../../../scripts/lib/free-ports.js';

describe('findFreePorts', () => {
  it("never hands out a port that is another caller's cluster bus port", async () => {
    // From a random place in the overlap of client ports (10000-22767) and bus ports (20000-32767).
    const at = 10_000 + Math.floor(Math.random() * 2_000);
    const [node] = await findFreePorts(1, at - 1);
    expect(node).toBeGreaterThanOrEqual(at);
    // Start the next search right before that node's bus port: it must be skipped.
    const [other] = await findFreePorts(1, node! + 10_000 - 1);
    expect(other).not.toBe(node! + 10_000);
    expect(other).toBeGreaterThan(node! + 10_000);
  });
});
