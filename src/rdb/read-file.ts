import { createReadStream, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { RdbEntry } from './entries.js';
import { RdbFormatError } from './errors.js';
import { RdbParser } from './parser.js';

/**
 * Chunks read from the file. Small on purpose: the entries of a chunk live until it is processed,
 * and with 1 MiB chunks (30,000 keys) they outlived V8's young generation, so garbage collection
 * took 40% of the read; 64 KiB doubled the reader's speed on the 1M-key bench file.
 */
const CHUNK_BYTES = 1 << 16;

/** The file's size and identity, to notice it changed between two passes. */
export interface RdbFileStat {
  readonly path: string;
  readonly bytes: number;
  readonly mtimeMs: number;
}

/** A file that can be read: a missing file or a directory is a usage error (exit 2, one line). */
export function statRdbFile(path: string): RdbFileStat {
  let st;
  try {
    st = statSync(path);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new UsageError(`cannot read RDB file ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
  }
  if (st.isDirectory()) throw new UsageError(`cannot read RDB file ${path}: it is a directory`);
  return { path, bytes: st.size, mtimeMs: st.mtimeMs };
}

/**
 * Read an RDB file in chunks through the parser, handing each chunk's entries to `onEntries` and
 * waiting for it before reading on (a consumer that is behind pauses the file: memory stays the
 * chunk plus what the consumer holds). Format errors name the file.
 */
export async function readRdbFile(file: RdbFileStat, deep: boolean, onEntries: (entries: RdbEntry[], bytesRead: number) => void | Promise<void>): Promise<void> {
  const parser = new RdbParser({ deep, totalBytes: file.bytes });
  let read = 0;
  try {
    const stream = createReadStream(file.path, { highWaterMark: CHUNK_BYTES });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      read += chunk.length;
      const entries = parser.push(chunk);
      if (entries.length) await onEntries(entries, read);
    }
    if (read !== file.bytes) throw new RdbFormatError(read, `the file changed while it was read (${file.bytes} bytes before, ${read} now)`);
    await onEntries(parser.end(), read);
  } catch (error) {
    if (error instanceof RdbFormatError && !error.source) throw error.withSource(file.path);
    const code = (error as { code?: string }).code;
    if (code === 'EISDIR' || code === 'EACCES' || code === 'ENOENT') throw new UsageError(`cannot read RDB file ${file.path}: ${(error as Error).message}`);
    throw error;
  }
}

/**
 * The AUX fields at the head of a file (redis-ver, used-mem, …), read from its first chunks only:
 * what a pre-flight needs before the whole file is checked. A file too broken to show them gives {}
 * (the validation pass then says what is wrong, with the offset).
 */
export async function peekRdbAux(file: RdbFileStat, maxBytes = 1 << 20): Promise<Record<string, string>> {
  const parser = new RdbParser({ totalBytes: file.bytes });
  const aux: Record<string, string> = {};
  let read = 0;
  try {
    for await (const chunk of createReadStream(file.path, { highWaterMark: CHUNK_BYTES }) as AsyncIterable<Buffer>) {
      read += chunk.length;
      for (const e of parser.push(chunk)) {
        if (e.kind === 'aux') aux[e.key.toString()] = e.value.toString();
        else if (e.kind !== 'header') return aux;
      }
      if (read >= maxBytes) return aux;
    }
  } catch {
    // Left to the validation pass.
  }
  return aux;
}
