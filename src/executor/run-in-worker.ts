import { Worker } from 'node:worker_threads';
import { OperationError } from '../errors.js';
import type { Plan } from '../planner/plan-schema.js';
import type { EventListener, ExecutorEvent, RunHandle, RunSummary } from './events.js';
import type { RunOptions } from './run-plan.js';

/** Messages to the worker (run-worker.ts). */
export type ToWorker =
  | { readonly type: 'start'; readonly plan: unknown; readonly options: unknown; readonly nice: number | null }
  | { readonly type: 'pause' | 'resume' }
  | { readonly type: 'concurrency'; readonly value: number }
  | { readonly type: 'abort' | 'interrupt'; readonly immediate: boolean };

/** Messages from the worker. */
type FromWorker =
  | { readonly type: 'events'; readonly events: ExecutorEvent[] }
  | { readonly type: 'done'; readonly summary: RunSummary }
  | { readonly type: 'error'; readonly message: string };

/**
 * A worker thread, started ahead (loading the executor takes a moment) and used for one run: the
 * TUI runs the executor there, so the frames it draws on the main thread never hold up the
 * migration's replies. Same RunHandle as `startRun`; events arrive in batches every few tens of ms.
 */
export class RunWorker {
  readonly #worker = new Worker(new URL('../executor/run-worker.js', import.meta.url));

  constructor() {
    // Idle until a run starts: it must not keep the process alive on its own.
    this.#worker.unref();
  }

  /** Start `plan`; the options are copied to the worker (connection options included, in memory only). */
  start(plan: Plan, options: RunOptions, nice: number | null = null): RunHandle & { interrupt(immediate: boolean): void } {
    const worker = this.#worker;
    worker.ref();
    const listeners = new Set<EventListener>();
    let concurrency = options.concurrency ?? 0;
    let paused = false;
    const send = (m: ToWorker): void => worker.postMessage(m);
    const done = new Promise<RunSummary>((resolve, reject) => {
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'events') {
          for (const e of m.events) {
            if (e.type === 'run-start' || e.type === 'concurrency') concurrency = e.type === 'run-start' ? e.concurrency : (e.value ?? concurrency);
            else if (e.type === 'paused') paused = true;
            else if (e.type === 'resumed') paused = false;
            for (const l of [...listeners]) l(e);
          }
        } else {
          void worker.terminate();
          if (m.type === 'done') resolve(m.summary);
          else reject(new OperationError(m.message));
        }
      });
      worker.on('error', (error) => reject(new OperationError(`the run's worker thread failed: ${error.message}`)));
    });
    done.catch(() => {});
    send({ type: 'start', plan, options: { ...options, admin: undefined }, nice });
    return {
      subscribe(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      // The state changes here at once, as in-process; the run's own events confirm it.
      pause: () => {
        paused = true;
        send({ type: 'pause' });
      },
      resume: () => {
        paused = false;
        send({ type: 'resume' });
      },
      setConcurrency: (value) => {
        if (!Number.isInteger(value) || value < 1) throw new TypeError(`Expected \`concurrency\` to be a whole number >= 1, got ${value}`);
        concurrency = value;
        send({ type: 'concurrency', value });
      },
      abort: (immediate = false) => send({ type: 'abort', immediate }),
      interrupt: (immediate) => send({ type: 'interrupt', immediate }),
      get concurrency() {
        return concurrency;
      },
      get paused() {
        return paused;
      },
      done,
    };
  }

  /** Stop the thread (a TUI that quits without running anything). */
  close(): void {
    void this.#worker.terminate();
  }
}
