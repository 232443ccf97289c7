import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** Read and parse a JSON file the user named; UsageError in one line when it cannot be read or parsed. */
export function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${what} file ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON (truncated, or not a ${what} file?)`);
  }
}
