import { useEffect, useLayoutEffect, useRef, useState } from 'react';

/** The clock (elapsed, ETA) still moves on a paused or quiet run, but only once a second. */
const IDLE_FRAME_MS = 1000;
/**
 * A frame may take at most this share of the time (1/50 = 2%): a frame blocks the event loop the
 * migration's replies arrive on, and on a small or busy machine a frame of the execution view takes
 * tens of milliseconds (layout, per-character styling, the write to the terminal).
 */
const MAX_FRAME_SHARE = 50;
/** Slowest frame rate, whatever a frame costs: the screen must stay alive. */
const MAX_FRAME_MS = 2000;

/**
 * Re-render while `source` is set, but only when its `version` changed (or a second passed, for the
 * clock), at most every `ms` and never more often than keeps drawing under 2% of the time. A run of
 * tens of thousands of events costs the migration a handful of renders.
 */
export function useTicker(source: { readonly version: number } | null, ms: number): number {
  const [frame, setFrame] = useState(0);
  /** Whether a tick asked for a frame that is not on screen yet. */
  const requested = useRef(false);
  /** Time between ticks, stretched when frames are expensive. */
  const period = useRef(ms);
  // The caller is the root component: its render starts the frame, and layout effects run after Ink
  // has written it, in the same synchronous commit. The time between is what a frame costs (React's
  // work, layout, styling, the terminal write), without the wait for the render to be scheduled.
  const renderStarted = performance.now();
  useLayoutEffect(() => {
    if (!requested.current) return;
    period.current = Math.min(MAX_FRAME_MS, Math.max(ms, (performance.now() - renderStarted) * MAX_FRAME_SHARE));
    requested.current = false;
  });
  useEffect(() => {
    if (!source) return;
    let seen = source.version;
    let drawnAt = Date.now();
    let timer: NodeJS.Timeout;
    const tick = (): void => {
      const now = Date.now();
      if (source.version !== seen || now - drawnAt >= IDLE_FRAME_MS) {
        seen = source.version;
        drawnAt = now;
        requested.current = true;
        setFrame((f) => f + 1);
      }
      timer = setTimeout(tick, period.current);
    };
    timer = setTimeout(tick, period.current);
    return () => clearTimeout(timer);
  }, [source, ms]);
  return frame;
}
