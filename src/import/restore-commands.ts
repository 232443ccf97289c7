/**
 * A batch of `RESTORE key ttl payload [args…]` commands encoded as RESP into one buffer, sized
 * exactly up front: what PipeConnection.callEncoded sends. One allocation and one copy per key,
 * instead of a command object, several buffers and a concat per key (ioredis' cost dominated the
 * profile of import --rdb). The small ASCII parts are written byte by byte: Buffer.write per part
 * showed in the profile too.
 */

/** Decimal digits of a non-negative integer (by comparison: Math.log10 is not exact at powers of 10). */
function digits(n: number): number {
  let d = 1;
  for (let p = 10; p <= n; p *= 10) d++;
  return d;
}

/** `$<len>\r\n` for a bulk string of `len` bytes. */
const bulkHead = (len: number): number => 1 + digits(len) + 2;

export function encodeRestores(entries: readonly { readonly key: Buffer; readonly ttlMs: number; readonly payload: Buffer }[], extra: readonly string[]): Buffer {
  const head = Buffer.from(`*${4 + extra.length}\r\n$7\r\nRESTORE\r\n`, 'latin1');
  const tail = Buffer.from(extra.map((a) => `$${a.length}\r\n${a}\r\n`).join(''), 'latin1');
  let size = 0;
  for (const e of entries) {
    const ttl = digits(e.ttlMs);
    size += head.length + tail.length + bulkHead(e.key.length) + e.key.length + 2 + bulkHead(ttl) + ttl + 2 + bulkHead(e.payload.length) + e.payload.length + 2;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  const num = (n: number): void => {
    const d = digits(n);
    for (let i = at + d - 1; i >= at; i--, n = Math.floor(n / 10)) out[i] = 0x30 + (n % 10);
    at += d;
  };
  const crlf = (): void => {
    out[at++] = 0x0d;
    out[at++] = 0x0a;
  };
  const bulk = (b: Buffer): void => {
    out[at++] = 0x24;
    num(b.length);
    crlf();
    at += b.copy(out, at);
    crlf();
  };
  for (const e of entries) {
    at += head.copy(out, at);
    bulk(e.key);
    out[at++] = 0x24;
    num(digits(e.ttlMs));
    crlf();
    num(e.ttlMs);
    crlf();
    bulk(e.payload);
    at += tail.copy(out, at);
  }
  return out;
}
