import { UsageError } from '../errors.js';
import {
  SLOT_COUNT,
  type ClusterNodeLine,
  type NodeFlag,
  type OpenSlotMarker,
  type SlotRange,
  type Topology,
  type TopologyNode,
} from './types.js';

const KNOWN_FLAGS = new Set<string>(['myself', 'master', 'slave', 'fail?', 'fail', 'handshake', 'noaddr', 'nofailover', 'noflags']);
const NODE_ID = /^[0-9a-f]{40}$/;

/** `CLUSTER NODES` text that is not what it should be, with the line that says so. */
export class ClusterNodesParseError extends UsageError {
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`cluster nodes line ${line}: ${problem}`);
  }
}

function parseAddress(field: string, lineNo: number): Pick<ClusterNodeLine, 'addr' | 'host' | 'port' | 'busPort' | 'hostname'> {
  // ip:port@cport[,hostname]; the bus port is missing before Redis 4, the host is empty for noaddr.
  const [endpoint = '', hostname] = field.split(',', 2);
  const [hostPort = '', bus] = endpoint.split('@', 2);
  const colon = hostPort.lastIndexOf(':');
  if (colon < 0) throw new ClusterNodesParseError(lineNo, `address "${field}" is not HOST:PORT@BUSPORT`);
  const host = hostPort.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(hostPort.slice(colon + 1));
  const busPort = bus === undefined ? port + 10000 : Number(bus);
  if (!Number.isInteger(port) || !Number.isInteger(busPort)) {
    throw new ClusterNodesParseError(lineNo, `address "${field}" has a port that is not a number`);
  }
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return { addr, host, port, busPort, ...(hostname ? { hostname } : {}) };
}

function parseSlotField(field: string, lineNo: number, slots: SlotRange[], open: OpenSlotMarker[]): void {
  const marker = /^\[(\d+)-([<>])-([0-9a-f]{40})\]$/.exec(field);
  if (marker) {
    const slot = checkSlot(Number(marker[1]), lineNo);
    open.push({ slot, state: marker[2] === '>' ? 'migrating' : 'importing', peer: marker[3]! });
    return;
  }
  const range = /^(\d+)(?:-(\d+))?$/.exec(field);
  if (!range) throw new ClusterNodesParseError(lineNo, `slot field "${field}" is not N, N-M or [N->-id]/[N-<-id]`);
  const start = checkSlot(Number(range[1]), lineNo);
  const end = checkSlot(Number(range[2] ?? range[1]), lineNo);
  if (end < start) throw new ClusterNodesParseError(lineNo, `slot range "${field}" ends before it starts`);
  slots.push([start, end]);
}

function checkSlot(slot: number, lineNo: number): number {
  if (!Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) {
    throw new ClusterNodesParseError(lineNo, `slot ${slot} is out of range 0-${SLOT_COUNT - 1}`);
  }
  return slot;
}

function parseLine(text: string, lineNo: number): ClusterNodeLine {
  const f = text.trim().split(/\s+/);
  if (f.length < 8) throw new ClusterNodesParseError(lineNo, `expected at least 8 fields, got ${f.length}`);
  const [id, address, flagField, master, pingSent, pongRecv, epoch, link, ...slotFields] = f as [string, string, string, string, string, string, string, string, ...string[]];
  if (!NODE_ID.test(id)) throw new ClusterNodesParseError(lineNo, `"${id}" is not a 40-character node id`);
  const flags = flagField.split(',').filter(Boolean);
  const unknown = flags.find((flag) => !KNOWN_FLAGS.has(flag));
  if (unknown) throw new ClusterNodesParseError(lineNo, `unknown flag "${unknown}"`);
  if (master !== '-' && !NODE_ID.test(master)) throw new ClusterNodesParseError(lineNo, `master "${master}" is not a node id or -`);
  if (link !== 'connected' && link !== 'disconnected') {
    throw new ClusterNodesParseError(lineNo, `link state "${link}" is not connected/disconnected`);
  }
  const numbers = [pingSent, pongRecv, epoch].map(Number);
  if (numbers.some((n) => !Number.isFinite(n))) throw new ClusterNodesParseError(lineNo, 'ping, pong and epoch must be numbers');
  const slots: SlotRange[] = [];
  const openSlots: OpenSlotMarker[] = [];
  for (const field of slotFields) parseSlotField(field, lineNo, slots, openSlots);
  slots.sort((a, b) => a[0] - b[0]);
  return {
    id,
    ...parseAddress(address, lineNo),
    flags: flags as NodeFlag[],
    role: flags.includes('slave') ? 'replica' : 'master',
    masterId: master === '-' ? null : master,
    pingSent: numbers[0]!,
    pongRecv: numbers[1]!,
    configEpoch: numbers[2]!,
    linkState: link,
    slots,
    openSlots,
  };
}

/**
 * Parse `CLUSTER NODES` output (also a saved `redis-cli cluster nodes` dump). Pure; throws
 * ClusterNodesParseError naming the line for anything that is not the documented format.
 */
export function parseClusterNodes(text: string): ClusterNodeLine[] {
  const lines: ClusterNodeLine[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim()) lines.push(parseLine(line, i + 1));
  });
  if (lines.length === 0) throw new ClusterNodesParseError(1, 'no node lines');
  const ids = new Set<string>();
  for (const [i, l] of lines.entries()) {
    if (ids.has(l.id)) throw new ClusterNodesParseError(i + 1, `node ${l.id} appears twice`);
    ids.add(l.id);
  }
  return lines;
}

/** slot → owner id from the masters' slot ranges, null where nobody claims a slot. */
export function slotOwnersOf(lines: readonly ClusterNodeLine[]): (string | null)[] {
  const owners = new Array<string | null>(SLOT_COUNT).fill(null);
  for (const node of lines) {
    if (node.role !== 'master') continue;
    for (const [start, end] of node.slots) owners.fill(node.id, start, end + 1);
  }
  return owners;
}

/** Replica ids of each master id. */
export function replicasOf(lines: readonly ClusterNodeLine[]): Map<string, string[]> {
  const replicas = new Map<string, string[]>();
  for (const node of lines) {
    if (node.masterId) replicas.set(node.masterId, [...(replicas.get(node.masterId) ?? []), node.id]);
  }
  return replicas;
}

/**
 * A Topology from one `CLUSTER NODES` view, for planning offline: no key counts, no live figures,
 * nodes marked unreachable.
 */
export function topologyFromClusterNodes(text: string, seed = 'cluster-nodes'): Topology {
  const lines = parseClusterNodes(text);
  const replicas = replicasOf(lines);
  const nodes: TopologyNode[] = lines.map((l) => ({ ...l, reachable: false, replicas: replicas.get(l.id) ?? [] }));
  return {
    seed,
    readAt: null,
    nodes,
    slotOwners: slotOwnersOf(lines),
    slotKeys: null,
    openSlots: lines.flatMap((l) => l.openSlots.map((o) => ({ ...o, node: l.id }))),
    disagreements: [],
  };
}
