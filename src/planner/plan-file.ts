import { writeFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { readJsonFile } from '../util/json-file.js';
import { PLAN_VERSION, planSchema, type Plan } from './plan-schema.js';

/** Stable text: key order is fixed by construction, so the same plan is the same bytes. */
export function serializePlan(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

export function writePlanFile(path: string, plan: Plan): void {
  writeFileSync(path, serializePlan(plan));
}

/** Validate parsed JSON as a plan; UsageError naming the first problem. Also refuses a slot listed twice. */
export function parsePlan(json: unknown, source: string): Plan {
  const obj = json as { kind?: unknown; version?: unknown } | null;
  if (obj?.kind !== 'slotpilot-plan') throw new UsageError(`${source} is not a slotpilot plan`);
  if (obj.version !== PLAN_VERSION) {
    throw new UsageError(`${source} is plan version ${String(obj.version)}; this slotpilot reads version ${PLAN_VERSION}`);
  }
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${source}: invalid plan at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const seen = new Set<number>();
  for (const m of parsed.data.moves) {
    if (seen.has(m.slot)) throw new UsageError(`${source}: slot ${m.slot} is moved twice`);
    if (m.from === m.to) throw new UsageError(`${source}: slot ${m.slot} moves from a node to itself`);
    seen.add(m.slot);
  }
  return parsed.data;
}

export function readPlanFile(path: string): Plan {
  return parsePlan(readJsonFile(path, 'plan'), path);
}
