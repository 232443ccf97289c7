import { describe, expect, it } from 'vitest';
import { slotOwnership } from '../../../scripts/lib/local-cluster.js';
import { parseClusterNodes } from '../../../src/topology/parse-cluster-nodes.js';

const owners = (lines: readonly string[]): string => slotOwnership(parseClusterNodes(lines.join('\n')));

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

const seedView = [
  `${A} 127.0.0.1:7000@17000 myself,master - 0 1796190911000 1 connected 0-5460 [100->-${C}]`,
  `${B} 127.0.0.1:7001@17001 master - 0 1796190910484 2 connected 5461-10922`,
  `${C} 127.0.0.1:7002@17002 master - 0 1796190911000 3 connected 10923-16383`,
];
const otherView = [
  `${C} 127.0.0.1:7002@17002 master - 0 1796190911111 3 connected 10923-16383 [100-<-${A}]`,
  `${A} 127.0.0.1:7000@17000 master - 0 1796190911222 1 connected 0-5460`,
  `${B} 127.0.0.1:7001@17001 myself,master - 0 0 2 connected 5461-10922`,
];

describe('slotOwnership (the test clusters wait until every view gives the same)', () => {
  it('is the same for two views of one assignment, whatever their flags, times and open-slot markers', () => {
    expect(owners(seedView)).toBe(owners(otherView));
  });

  it("differs where a view has not heard a master's slots yet (met by handshake, epoch 0)", () => {
    const early = otherView.map((l) => (l.startsWith(B) ? `${B} 127.0.0.1:7001@17001 master - 0 0 0 connected` : l));
    expect(owners(early)).not.toBe(owners(seedView));
  });
});
