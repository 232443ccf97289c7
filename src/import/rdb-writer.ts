import calculateSlot from 'cluster-key-slot';
import PQueue from 'p-queue';
import type { RdbEntry, RdbKeyEntry } from '../rdb/entries.js';
import { globMatch } from '../rdb/glob.js';
import { planRestore } from '../rdb/restore-plan.js';
import type { RdbFlavor } from '../rdb/types.js';
import { classifyRedisError } from '../redis/errors.js';
import { ImportRun, tallyWrites } from './import-run.js';
import { fileComparer, type PreparedRdbImport, type RdbDumpedKey } from './rdb-targets.js';
import type { SampledKey } from './verify-import.js';
import { restoreGroup } from './write-group.js';

/** A batch is also cut at this many payload bytes, so a stream of big keys keeps memory bounded. */
const BATCH_BYTES = 8 << 20;
/** A key expiring sooner may be gone before verification, so the key count cannot be exact. */
const SHORT_TTL_MS = 60_000;

export interface RdbWriterOptions {
  readonly db: number;
  /** Glob of the keys to write (SCAN MATCH syntax), or null for all. */
  readonly match: string | null;
  readonly replace: boolean;
  /** Keys per batch: one RESTORE pipeline per master and batch. */
  readonly batch: number;
  /** Batches in flight at once; `add` waits while they are all busy. */
  readonly inFlight: number;
}

/** What the writer counted; `run-rdb-import` reports them, `sync` too. */
export class RdbWriteTotals {
  scanned = 0;
  restored = 0;
  alreadyPresent = 0;
  expired = 0;
  reencoded = 0;
  conflicts = 0;
  exact = true;
  readonly perMaster: Record<string, number> = {};
}

/**
 * The write path of every RDB stream (a file: `import --rdb`; a primary's full sync: `sync`): each
 * key of database `db` matching `match` is routed to the master owning its slot and RESTOREd there
 * with its absolute expiry (ABSTTL) from a payload built from the stream's own bytes, or re-encoded
 * for a master that does not read its type; one pipeline per master per batch, several batches in
 * flight, and `add` waits while they are busy (the stream's reader then pauses: memory stays
 * bounded). Conflicts follow `import`: the same value already there is "present", another value
 * stops the run unless `replace`. Failures and conflicts stop `run`; the caller checks it.
 */
export class RdbKeyWriter {
  readonly totals = new RdbWriteTotals();
  /** Batches in flight; a full queue makes `add` wait. */
  readonly #queue: PQueue;
  /** The batch being filled: keys per master, and the keys chosen for verification by name. */
  #groups = new Map<string, RdbDumpedKey[]>();
  #sampled = new Map<string, SampledKey>();
  #keys = 0;
  #bytes = 0;
  /** Which server family wrote the stream: from its header entry (or given for a validated file). */
  #flavor: RdbFlavor;
  readonly #match: Buffer | null;

  constructor(
    readonly prep: PreparedRdbImport,
    readonly run: ImportRun,
    readonly options: RdbWriterOptions,
    readonly hooks: {
      /** Remember a key for verification (copied out of the reader's buffer), or null. */
      readonly sample?: (e: RdbKeyEntry, flavor: RdbFlavor, now: number) => SampledKey | null;
      /** Keys written so far that were sampled, appended as their batch is acknowledged. */
      readonly sampleOut?: SampledKey[];
      /** After each batch was answered and tallied. */
      readonly afterBatch?: () => void;
    } = {},
    flavor: RdbFlavor = 'redis',
  ) {
    this.#queue = new PQueue({ concurrency: options.inFlight });
    this.#flavor = flavor;
    this.#match = options.match === null ? null : Buffer.from(options.match);
  }

  /** Route and queue each selected key of `entries`; resolves once the stream may go on. */
  async add(entries: readonly RdbEntry[]): Promise<void> {
    for (const e of entries) {
      if (e.kind === 'header') this.#flavor = e.flavor;
      if (e.kind !== 'key' || e.db !== this.options.db || (this.#match && !globMatch(this.#match, e.key))) continue;
      this.totals.scanned++;
      const owner = this.prep.slotOwners[calculateSlot(e.key)]!;
      const now = Date.now();
      const plan = planRestore(e, this.#flavor, this.prep.formats.get(owner)!, now);
      if (plan.kind === 'expired') {
        this.totals.expired++;
        continue;
      }
      if (plan.reencoded) this.totals.reencoded++;
      if (e.expireAt !== null && e.expireAt - now < SHORT_TTL_MS) this.totals.exact = false;
      const entry: RdbDumpedKey = { key: e.key, ttlMs: e.expireAt ?? 0, payload: plan.payload, type: e.type, value: e.value, valueOffset: e.valueOffset };
      const chosen = this.hooks.sample?.(e, this.#flavor, now);
      if (chosen) this.#sampled.set(chosen.key.toString('latin1'), chosen);
      const list = this.#groups.get(owner);
      if (list) list.push(entry);
      else this.#groups.set(owner, [entry]);
      this.#keys++;
      this.#bytes += plan.payload.length;
      if (this.#keys >= this.options.batch || this.#bytes >= BATCH_BYTES) await this.#flush();
    }
  }

  /** Send what is left and wait until every batch was answered. */
  async finish(): Promise<void> {
    await this.#flush();
    await this.#queue.onIdle();
  }

  async #flush(): Promise<void> {
    if (!this.#keys) return;
    const [groups, sampled, flavor] = [this.#groups, this.#sampled, this.#flavor];
    this.#groups = new Map();
    this.#sampled = new Map();
    this.#keys = this.#bytes = 0;
    void this.#queue.add(async () => {
      try {
        await this.#write(groups, sampled, flavor);
      } catch (error) {
        const reason = `${classifyRedisError(error) === 'CONNECTION' ? 'connection lost: ' : ''}${(error as Error).message?.split('\n')[0] ?? String(error)}`;
        this.run.emit({ type: 'batch-failed', t: Date.now(), master: null, reason });
        this.run.stop('failure', reason);
      }
    });
    // Read ahead by one batch only: the stream waits while every batch in flight is busy.
    if (this.#queue.size >= 1) await this.#queue.onSizeLessThan(1);
  }

  async #write(groups: Map<string, RdbDumpedKey[]>, sampled: Map<string, SampledKey>, flavor: RdbFlavor): Promise<void> {
    const results = await Promise.all(
      [...groups].map(async ([owner, entries]) => {
        const target = this.prep.targets.get(owner)!;
        return { target, ...(await restoreGroup({ mode: 'copy', replace: this.options.replace, migrateAuth: [], absoluteTtl: true }, fileComparer(flavor), target, entries)) };
      }),
    );
    tallyWrites(this.run, this.totals, results, sampled, this.hooks.sampleOut ?? []);
    this.hooks.afterBatch?.();
  }
}
