/**
 * What an import run reports. The engine emits these events and never prints; the plain and NDJSON
 * reporters and the journal consume them.
 */

/** `copy` leaves the source untouched; `move` deletes each key from the source once the cluster has it. */
export type ImportMode = 'copy' | 'move';

/** One key read from the source: its name, remaining TTL (ms, 0 = none) and DUMP payload. */
export interface DumpedKey {
  readonly key: Buffer;
  readonly ttlMs: number;
  readonly payload: Buffer;
}

/** Totals of a run, also the last event's summary. */
export interface ImportSummary {
  readonly mode: ImportMode;
  /** Keys SCAN returned. */
  readonly scanned: number;
  /** Keys written to the cluster by RESTORE. */
  readonly restored: number;
  /** Keys the cluster already held with an identical value (a re-run): not conflicts. */
  readonly alreadyPresent: number;
  /** Keys deleted from the source (move mode). */
  readonly deleted: number;
  /** Keys that vanished (expired or deleted) between SCAN and DUMP, or changed before the delete. */
  readonly skipped: number;
  /** Keys kept on the source because they changed after they were read (move mode). */
  readonly changedOnSource: number;
  /** Keys that exist in the cluster with a different value (without --replace). */
  readonly conflicts: number;
  /** Keys of an RDB file whose expiry had passed: not written, as Redis would not load them. */
  readonly expired?: number;
  /** Keys of an RDB file written in another type than the file's, for a target that does not read it. */
  readonly reencoded?: number;
  readonly failed: boolean;
  readonly stoppedBy: 'signal' | 'conflict' | 'failure' | null;
  readonly ms: number;
}

/** What the validation pass found in an RDB file. */
export interface RdbValidation {
  readonly file: string;
  readonly bytes: number;
  readonly version: number;
  readonly flavor: 'redis' | 'valkey';
  /** False when the file was saved without a checksum (`rdbchecksum no`): only its structure was checked. */
  readonly checksumChecked: boolean;
  /** Keys of the database and pattern to import, and how many of them had already expired. */
  readonly keys: number;
  readonly expired: number;
}

export interface VerifyReport {
  readonly ok: boolean;
  /** DBSIZE summed over the masters, before and after. */
  readonly clusterKeysBefore: number;
  readonly clusterKeysAfter: number;
  /** Keys the run added to the cluster (restored as new), which the count must have grown by. */
  readonly expectedGrowth: number;
  /** With --replace a restore may overwrite, so growth is only bounded above. */
  readonly exact: boolean;
  readonly sampled: number;
  readonly mismatches: readonly { readonly key: string; readonly problem: string }[];
}

export type ImportEvent =
  | {
      readonly type: 'import-start';
      readonly t: number;
      readonly from: string;
      readonly db: number;
      readonly match: string | null;
      readonly mode: ImportMode;
      readonly replace: boolean;
      /** How keys travel (see ImportOptions.method); `rdb`: read from a file, RESTOREd through slotpilot. */
      readonly method: 'migrate' | 'restore' | 'rdb';
      /** Keys in the source database when the run started (DBSIZE). */
      readonly sourceKeys: number;
      /** Node id → `host:port` of every master written to. */
      readonly masters: Readonly<Record<string, string>>;
      readonly journal: string | null;
    }
  | ({
      readonly type: 'batch-done';
      readonly t: number;
      /** Keys written per master `host:port`. */
      readonly perMaster: Readonly<Record<string, number>>;
      /** SCAN calls made so far (progress when --match hides the total). */
      readonly scanCalls: number;
      /** An RDB file: bytes read of its size (progress), keys skipped as expired, keys re-encoded. */
      readonly bytesRead?: number;
      readonly totalBytes?: number;
      readonly expired?: number;
      readonly reencoded?: number;
      // Totals so far (not this batch's): a consumer only needs the latest.
    } & Pick<ImportSummary, 'scanned' | 'restored' | 'alreadyPresent' | 'deleted' | 'skipped' | 'changedOnSource'>)
  /** The validation pass over an RDB file (structure and checksum), before anything is written. */
  | { readonly type: 'validate-progress'; readonly t: number; readonly bytes: number; readonly totalBytes: number }
  | ({ readonly type: 'validated'; readonly t: number; readonly ms: number } & RdbValidation)
  | { readonly type: 'conflict'; readonly t: number; readonly key: string; readonly master: string }
  | { readonly type: 'batch-failed'; readonly t: number; readonly master: string | null; readonly reason: string }
  | { readonly type: 'stopping'; readonly t: number; readonly message: string }
  | ({ readonly type: 'verify'; readonly t: number } & VerifyReport)
  | { readonly type: 'import-end'; readonly t: number; readonly summary: ImportSummary; readonly verify: VerifyReport | null };

export interface ImportHandle {
  /** Listen to every event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: ImportEvent) => void): () => void;
  /** Stop taking new keys; batches in flight finish (so no key is lost) and `done` resolves. */
  interrupt(): void;
  readonly done: Promise<ImportSummary & { readonly verify: VerifyReport | null }>;
}
