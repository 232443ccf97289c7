import { useEffect, useState } from 'react';

/**
 * Re-render every `ms` while `source` is set, but only when its `version` changed: the execution view
 * draws a few frames a second whatever the event rate, and none while nothing happens.
 */
export function useTicker(source: { readonly version: number } | null, ms: number): number {
  const [seen, setSeen] = useState(source?.version ?? 0);
  useEffect(() => {
    if (!source) return;
    const timer = setInterval(() => setSeen(source.version), ms);
    return () => clearInterval(timer);
  }, [source, ms]);
  return seen;
}
