/**
 * Worker-thread side of `startRunInWorker` (run-in-worker.ts): runs one plan with the executor and
 * posts its events to the UI thread in batches, so drawing a frame there never delays a reply here.
 */
import { parentPort } from 'node:worker_threads';
import type { ExecutorEvent } from './events.js';
import { startRun, type RunOptions } from './run-plan.js';
import type { Plan } from '../planner/plan-schema.js';
import type { ToWorker } from './run-in-worker.js';
import { yieldCpu } from '../util/priority.js';

/** Events wait at most this long before they are posted (the UI draws at most a few frames a second). */
const POST_EVERY_MS = 50;

const port = parentPort;
if (!port) throw new Error('run-worker.js runs in a worker thread');

let run: ReturnType<typeof startRun> | null = null;
let pending: ExecutorEvent[] = [];
let timer: NodeJS.Timeout | null = null;
const post = (): void => {
  if (timer) clearTimeout(timer);
  timer = null;
  if (pending.length) port.postMessage({ type: 'events', events: pending });
  pending = [];
};

port.on('message', (m: ToWorker) => {
  if (m.type === 'start') {
    // On Linux a priority is per thread: this one gets the run's own (see util/priority.ts).
    if (m.nice !== null) yieldCpu(m.nice);
    run = startRun(m.plan as Plan, m.options as RunOptions);
    run.subscribe((e) => {
      pending.push(e);
      if (e.type === 'run-end' || e.type === 'slot-failed' || e.type === 'stopping') post();
      else timer ??= setTimeout(post, POST_EVERY_MS);
    });
    run.done.then(
      (summary) => {
        post();
        port.postMessage({ type: 'done', summary });
      },
      (error: unknown) => {
        post();
        port.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
  } else if (run) {
    if (m.type === 'pause') run.pause();
    else if (m.type === 'resume') run.resume();
    else if (m.type === 'concurrency') run.setConcurrency(m.value);
    else if (m.type === 'abort') run.abort(m.immediate);
    else if (m.type === 'interrupt') run.interrupt(m.immediate);
  }
});
