/** The screens, in the order a session goes through them. */
export type Screen = 'overview' | 'builder' | 'confirm' | 'run' | 'summary';

/** The key help line of each screen: `[key, what]`. Kept next to nothing else so it stays in sync with the key table in docs/tui.md. */
export const SCREEN_KEYS: Record<Screen, readonly (readonly [string, string])[]> = {
  overview: [['b', 'build a plan'], ['r', 'refresh'], ['q', 'quit']],
  builder: [['↑↓', 'field'], ['←→', 'change (shift: faster)'], ['enter', 'review & start'], ['s', 'save plan'], ['esc', 'back'], ['q', 'quit']],
  confirm: [['y', 'start'], ['n/esc', 'back']],
  run: [['p', 'pause'], ['r', 'resume'], ['+/-', 'concurrency'], ['a', 'abort (finish in flight)'], ['q', 'quit when finished']],
  summary: [['o', 'overview'], ['q', 'quit']],
};
