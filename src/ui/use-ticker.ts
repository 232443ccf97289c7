import { useEffect, useState } from 'react';

/** The clock (elapsed, ETA) still moves on a paused or quiet run, but only once a second. */
const IDLE_FRAME_MS = 1000;

/**
 * Re-render every `ms` while `source` is set, but only when its `version` changed (or a second
 * passed, for the clock): the execution view draws a few frames a second whatever the event rate,
 * so a run of tens of thousands of events costs the migration a handful of renders.
 */
export function useTicker(source: { readonly version: number } | null, ms: number): number {
  const [frame, setFrame] = useState(0);
  useEffect(() => {
    if (!source) return;
    let seen = source.version;
    let drawnAt = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      if (source.version === seen && now - drawnAt < IDLE_FRAME_MS) return;
      seen = source.version;
      drawnAt = now;
      setFrame((f) => f + 1);
    }, ms);
    return () => clearInterval(timer);
  }, [source, ms]);
  return frame;
}
