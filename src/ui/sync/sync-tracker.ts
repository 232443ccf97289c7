import type { SourceStatus, SyncEvent, SyncSummary } from '../../sync/events.js';

/** Messages kept for the screen: the latest few say what happened; the journal has them all. */
const MAX_MESSAGES = 6;

/**
 * The sync screen's figures, folded from the run's events (the screen never talks to Redis). Pure;
 * `version` grows with every change, so the ticker draws only when something moved.
 */
export class SyncTracker {
  version = 0;
  from = '';
  seed = '';
  journal = '';
  mode: 'run' | 'exit-when-synced' | 'cutover' = 'run';
  startedAt: number | null = null;
  /** Latest figures per source, in the order the run listed them. */
  readonly sources = new Map<string, SourceStatus>();
  /** The cut-over's latest step and what it said. */
  cutover: { readonly stage: string; readonly message: string } | null = null;
  synced = false;
  readonly messages: string[] = [];
  summary: SyncSummary | null = null;

  #say(message: string): void {
    this.messages.push(message);
    if (this.messages.length > MAX_MESSAGES) this.messages.shift();
  }

  apply(e: SyncEvent): void {
    this.version++;
    switch (e.type) {
      case 'sync-start':
        Object.assign(this, { from: e.from, seed: e.seed, journal: e.journal, mode: e.mode, startedAt: e.t });
        return;
      case 'lag':
        this.sources.set(e.source, e);
        return;
      case 'full-sync-progress': {
        const s = this.sources.get(e.source);
        if (s) this.sources.set(e.source, { ...s, phase: 'full-sync', rdbBytes: e.rdbBytes, rdbTotal: e.rdbTotal, keys: e.keys });
        return;
      }
      case 'psync':
        this.#say(`${e.source}: ${e.kind === 'full' ? 'full sync' : `partial resync from offset ${e.asked}`}${e.reason ? ` (${e.reason.split(':')[0]})` : ''}`);
        return;
      case 'full-sync-done':
        this.#say(`${e.source}: snapshot written, ${e.keys} keys${e.present ? ` (${e.present} present)` : ''}`);
        return;
      case 'synced':
        this.synced = true;
        this.#say('in sync: every source caught up');
        return;
      case 'cutover':
        this.cutover = { stage: e.stage, message: e.message };
        return;
      case 'link-lost':
        this.#say(`${e.source}: link lost (${e.reason}); reconnecting`);
        return;
      case 'capacity':
      case 'stopping':
        this.#say(e.message);
        return;
      case 'conflict':
        this.#say(`conflict: ${JSON.stringify(e.key)} on ${e.master}`);
        return;
      case 'sync-end':
        this.summary = e.summary;
        for (const s of e.summary.sources) this.sources.set(s.source, s);
        return;
      case 'checkpoint':
        return;
    }
  }
}
