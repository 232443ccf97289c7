/**
 * Before Ink and React load (they read the environment then): Ink draws only its last frame when it
 * believes it runs in CI (CI set, as many shells and runners do), and a screen a person looks at
 * must draw; React's development build costs several times more per frame, time the event loop
 * does not spend on the migration's replies.
 */
export function prepareInkEnv(): void {
  process.env.CI = 'false';
  process.env.CONTINUOUS_INTEGRATION = 'false';
  process.env.NODE_ENV ??= 'production';
}
