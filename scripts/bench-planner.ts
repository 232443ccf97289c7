/**
 * `npm run bench:planner`: plan a rebalance of a raw `cluster nodes` dump with 1,000 masters (uneven
 * random slot splits) plus 100 empty ones to fill, and print how long planning took (target < 1 s).
 */
import { makePlan } from '../src/planner/make-plan.js';
import { topologyFromClusterNodes } from '../src/topology/parse-cluster-nodes.js';

const MASTERS = 1000;
const EMPTY = 100;
let seed = 42;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const cuts = new Set<number>();
while (cuts.size < MASTERS - 1) cuts.add(1 + Math.floor(random() * 16383));
const points = [0, ...[...cuts].sort((a, b) => a - b), 16384];
const id = (i: number): string => i.toString(16).padStart(40, '0');
const lines = points.slice(1).map((end, i) => `${id(i + 1)} 10.0.${Math.floor(i / 250)}.${i % 250}:6379@16379 master - 0 0 ${i + 1} connected ${points[i]}-${end - 1}`);
for (let e = 0; e < EMPTY; e++) lines.push(`${id(MASTERS + e + 1)} 10.1.${Math.floor(e / 250)}.${e % 250}:6379@16379 master - 0 0 ${MASTERS + e + 1} connected`);
const text = lines.join('\n');

const started = performance.now();
const topology = topologyFromClusterNodes(text, 'bench');
const plan = makePlan(topology, { strategy: 'rebalance', by: 'slots', useEmptyMasters: true }, 'bench');
const ms = performance.now() - started;
console.log(`${MASTERS} masters + ${EMPTY} empty: parsed and planned ${plan.moves.length} moves in ${ms.toFixed(0)} ms (target < 1000 ms)`);
