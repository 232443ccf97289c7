/**
 * Ctrl-C / SIGTERM for a run that stops gracefully: the first signal asks it to stop (`interrupt`),
 * the second quits at once (exit 130). Returns the function that stops listening. Shared by
 * `import` and `sync`, whose work in flight is safe to abandon (nothing is deleted or checkpointed
 * before the cluster acknowledged it).
 */
export function stopOnSignals(interrupt: () => void): () => void {
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    interrupt();
    if (signals > 1) setTimeout(() => process.exit(130), 100).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
