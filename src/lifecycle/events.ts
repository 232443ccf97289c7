/**
 * Events of the node lifecycle commands (add-node, remove-node, replace-node). Like the executor's,
 * they are data: the plain and NDJSON reporters and the journal consume them; the steps never print.
 * Slot moves inside a lifecycle command (rebalance, drain) are run by the executor and report with
 * its own events.
 */

export type LifecycleCommand = 'add-node' | 'remove-node' | 'replace-node';

/** The named steps, in the order the commands run them. */
export type StepName =
  | 'inspect' // read the cluster and the node, decide (refusals happen here, before any change)
  | 'meet' // CLUSTER MEET
  | 'join' // wait until every node knows the new one and reports ok
  | 'replicate' // CLUSTER REPLICATE
  | 'sync' // initial sync and catch-up
  | 'rebalance' // fill the new master (executor)
  | 'drain' // empty the master being removed (executor)
  | 'reattach' // move replicas of a removed master to other masters
  | 'failover' // CLUSTER FAILOVER on the new node
  | 'forget' // CLUSTER FORGET on every other node
  | 'reset' // CLUSTER RESET on the removed node, so it cannot come back through gossip
  | 'shutdown';

export interface LifecycleStartEvent {
  readonly type: 'lifecycle-start';
  readonly t: number;
  readonly command: LifecycleCommand;
  readonly seed: string;
  readonly journal: string | null;
}

export interface StepEvent {
  readonly type: 'step';
  readonly t: number;
  readonly step: StepName;
  /** `skipped`: already done (a re-run after an interruption). */
  readonly status: 'start' | 'done' | 'skipped' | 'info';
  readonly message: string;
}

/** Where a replica is in its initial sync (see sync-status.ts). */
export type SyncPhase = 'waiting' | 'snapshot' | 'loading' | 'catch-up' | 'in-sync';

/** Where a replica is in its sync with its master (see readSyncStatus). */
export interface SyncStatus {
  readonly phase: SyncPhase;
  /** Snapshot bytes received so far (phase snapshot). */
  readonly bytesRead: number;
  /** Snapshot size, or null when the master streams it without knowing the size (diskless sync). */
  readonly bytesTotal: number | null;
  /** Master's replication offset and the replica's, once the link is up. */
  readonly masterOffset: number | null;
  readonly replicaOffset: number | null;
  /** masterOffset − replicaOffset, bytes of the replication stream the replica still has to apply. */
  readonly lagBytes: number | null;
}

export interface SyncProgressEvent extends SyncStatus {
  readonly type: 'sync-progress';
  readonly t: number;
  readonly replica: string;
  readonly master: string;
}

export interface LifecycleEndEvent {
  readonly type: 'lifecycle-end';
  readonly t: number;
  readonly ok: boolean;
  readonly message: string;
}

export type LifecycleEvent = LifecycleStartEvent | StepEvent | SyncProgressEvent | LifecycleEndEvent;

/** Where steps send their events: the command wires reporters and the journal to it. */
export type Emit = (event: LifecycleEvent) => void;

/** A step event stamped now. */
export function stepEvent(step: StepName, status: StepEvent['status'], message: string): StepEvent {
  return { type: 'step', t: Date.now(), step, status, message };
}
