/**
 * yargs renders a command's whole help text as soon as its handler starts (about 0.1 s of CPU: the
 * string widths of every option), only to show it if the handler fails later. slotpilot's `.fail`
 * prints a one-line error and never that help, so the rendering is skipped, which every command
 * line (and every test that runs one) saves. Through yargs' internal methods, as no public switch
 * exists: returns false if a later yargs lacks them, and help is then rendered as before.
 */
export function skipHelpCache(parser: unknown): boolean {
  type Usage = { cacheHelpMessage?: () => void };
  if (typeof parser !== 'object' || parser === null) return false;
  const internal = (parser as { getInternalMethods?: () => { getUsageInstance?: () => Usage } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (!usage || typeof usage.cacheHelpMessage !== 'function') return false;
  usage.cacheHelpMessage = () => {};
  return true;
}
