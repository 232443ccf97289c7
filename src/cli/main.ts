#!/usr/bin/env node
/**
 * The `slotpilot` executable. Static imports are all loaded (read, parsed, compiled: about 0.3 s of
 * CPU) before any module runs, so the entry point stays this small: a command that moves slots lowers
 * its CPU priority first (early-priority.ts), V8's tiering is set (early-tiering.ts), and only then
 * the CLI loads.
 */
import './early-priority.js';
import './early-tiering.js';

// The process title must never show what was typed (a --password): ps shows this instead.
process.title = 'slotpilot';

await import('./run-cli.js');
