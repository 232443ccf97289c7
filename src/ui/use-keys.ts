import { useInput, type Key } from 'ink';
import { useCallback, useLayoutEffect, useRef } from 'react';

/**
 * `useInput` whose handler is always the one from the latest committed render. Ink re-subscribes a
 * new handler in a passive effect, after the frame is on screen; a key pressed in between went to
 * the previous screen's handler (a fast typist, or a script driving the terminal, lost keys).
 * A layout effect updates the ref in the same commit that draws the frame.
 */
export function useKeys(handler: (input: string, key: Key) => void): void {
  const latest = useRef(handler);
  useLayoutEffect(() => {
    latest.current = handler;
  });
  useInput(useCallback((input: string, key: Key) => latest.current(input, key), []));
}
