import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StreamBuffer } from '../../../src/sync/stream-buffer.js';

describe('stream buffer', () => {
  it('keeps order across memory and the spill file, and uses memory again once the file is drained', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'sp-buf-')), 'x.spill');
    const b = new StreamBuffer(10, path);
    const parts = ['aaaa', 'bbbb', 'cccc', 'dd', 'eeeeee'].map((s) => Buffer.from(s));
    for (const p of parts) b.append(p);
    expect(b.spilling).toBe(true);
    // cccc did not fit in 10 bytes; once spilling, everything after goes to the file too, even dd.
    expect(b.spilledBytes).toBe(12);
    let got = '';
    for (let c = b.takeNow(); c; c = b.takeNow()) got += c.toString();
    expect(got).toBe('aaaabbbbccccddeeeeee');
    expect([b.bytes, b.spilling]).toEqual([0, false]);
    b.append(Buffer.from('ff'));
    expect(b.spilling).toBe(false);
    const waiting = b.take();
    expect((await waiting)!.toString()).toBe('ff');
    const ended = b.take();
    b.end('closed');
    expect(await ended).toBeNull();
    expect(b.endReason).toBe('closed');
    b.close();
  });
});
