import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { readJsonFile } from '../util/json-file.js';
import { SLOT_COUNT, type Topology } from './types.js';

/** Snapshot files carry this version; readers refuse any other. */
export const SNAPSHOT_VERSION = 1;

const nodeId = z.string().regex(/^[0-9a-f]{40}$/);
const slotRange = z.tuple([z.number().int().min(0).max(SLOT_COUNT - 1), z.number().int().min(0).max(SLOT_COUNT - 1)]);
const openMarker = z.object({ slot: z.number().int().min(0).max(SLOT_COUNT - 1), state: z.enum(['migrating', 'importing']), peer: nodeId });

const nodeSchema = z.object({
  id: nodeId,
  addr: z.string(),
  host: z.string(),
  port: z.number().int(),
  busPort: z.number().int(),
  hostname: z.string().optional(),
  flags: z.array(z.enum(['myself', 'master', 'slave', 'fail?', 'fail', 'handshake', 'noaddr', 'nofailover', 'noflags'])),
  role: z.enum(['master', 'replica']),
  masterId: nodeId.nullable(),
  pingSent: z.number(),
  pongRecv: z.number(),
  configEpoch: z.number(),
  linkState: z.enum(['connected', 'disconnected']),
  slots: z.array(slotRange),
  openSlots: z.array(openMarker),
  reachable: z.boolean(),
  clusterState: z.string().optional(),
  replicas: z.array(nodeId),
  usedMemory: z.number().optional(),
  maxMemory: z.number().optional(),
  maxMemoryPolicy: z.string().optional(),
  keys: z.number().optional(),
  redisVersion: z.string().optional(),
});

/**
 * On disk the 16384 owners are not repeated: they follow from the masters' slot ranges. Key counts
 * stay one number per slot (small, and what offline planning needs).
 */
export const snapshotSchema = z.object({
  kind: z.literal('slotpilot-snapshot'),
  version: z.literal(SNAPSHOT_VERSION),
  seed: z.string(),
  readAt: z.string().nullable(),
  nodes: z.array(nodeSchema),
  slotKeys: z.array(z.number().int().nonnegative()).length(SLOT_COUNT).nullable(),
  openSlots: z.array(openMarker.extend({ node: nodeId })),
  disagreements: z.array(z.object({ node: nodeId, message: z.string(), slots: z.array(z.number().int()).optional() })),
});

export type SnapshotFile = z.infer<typeof snapshotSchema>;

export function toSnapshot(t: Topology): SnapshotFile {
  const { slotOwners: _owners, ...rest } = t;
  return { kind: 'slotpilot-snapshot', version: SNAPSHOT_VERSION, ...rest } as SnapshotFile;
}

export function fromSnapshot(s: SnapshotFile): Topology {
  const slotOwners = new Array<string | null>(SLOT_COUNT).fill(null);
  for (const n of s.nodes) if (n.role === 'master') for (const [a, b] of n.slots) slotOwners.fill(n.id, a, b + 1);
  const { kind: _kind, version: _version, ...rest } = s;
  return { ...rest, slotOwners };
}

/** Validate parsed JSON as a snapshot; UsageError naming the first problem. */
export function parseSnapshot(json: unknown, source: string): Topology {
  const obj = json as { kind?: unknown; version?: unknown };
  if (obj?.kind !== 'slotpilot-snapshot') throw new UsageError(`${source} is not a slotpilot snapshot`);
  if (obj.version !== SNAPSHOT_VERSION) {
    throw new UsageError(`${source} is snapshot version ${String(obj.version)}; this slotpilot reads version ${SNAPSHOT_VERSION}`);
  }
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${source}: invalid snapshot at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return fromSnapshot(parsed.data);
}

export function writeSnapshotFile(path: string, t: Topology): void {
  writeFileSync(path, `${JSON.stringify(toSnapshot(t))}\n`);
}

export function readSnapshotFile(path: string): Topology {
  return parseSnapshot(readJsonFile(path, 'snapshot'), path);
}
