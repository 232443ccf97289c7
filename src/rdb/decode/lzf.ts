/**
 * LZF decompression (liblzf's format, which Redis uses for strings over 20 bytes). The only npm
 * package (lzfjs) grows a JS array byte by byte, uses the deprecated `new Buffer` and does not bound
 * its output, so a corrupt file could make it allocate without limit; Redis always stores the
 * uncompressed length, so this one writes into a buffer of exactly that size and refuses anything
 * that does not fill it exactly.
 */

/** The compressed bytes do not decode to the stated length; `at` is the offset inside them. */
export class LzfError extends Error {
  override readonly name = 'LzfError';
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {
    super(`invalid LZF data: ${reason}`);
  }
}

export function decompressLzf(src: Uint8Array, outLength: number): Buffer {
  const out = Buffer.allocUnsafe(outLength);
  runLzf(src, outLength, out);
  return out;
}

/**
 * Check that LZF data decodes to exactly `outLength` bytes without producing them: lengths and
 * back-reference offsets are all it takes (the validation pass; no output buffer per string).
 */
export function checkLzf(src: Uint8Array, outLength: number): void {
  runLzf(src, outLength, null);
}

/** The decoder, writing into `out` or, with null, only following the lengths. */
function runLzf(src: Uint8Array, outLength: number, out: Buffer | null): void {
  let ip = 0;
  let op = 0;
  const end = src.length;
  while (ip < end) {
    const ctrl = src[ip++]!;
    if (ctrl < 32) {
      // A literal run of ctrl + 1 bytes.
      const len = ctrl + 1;
      if (ip + len > end) throw new LzfError(ip - 1, 'literal run past the end of the input');
      if (op + len > outLength) throw new LzfError(ip - 1, 'output longer than stated');
      if (out) for (let j = 0; j < len; j++) out[op++] = src[ip++]!;
      else {
        op += len;
        ip += len;
      }
      continue;
    }
    // A back reference: length in the top 3 bits (7 means one more length byte), offset in 13 bits.
    let len = ctrl >>> 5;
    if (len === 7) {
      if (ip >= end) throw new LzfError(ip, 'back reference cut short');
      len += src[ip++]!;
    }
    if (ip >= end) throw new LzfError(ip, 'back reference cut short');
    let ref = op - ((ctrl & 0x1f) << 8) - 1 - src[ip++]!;
    len += 2;
    if (ref < 0) throw new LzfError(ip - 1, 'back reference before the start of the output');
    if (op + len > outLength) throw new LzfError(ip - 1, 'output longer than stated');
    // Byte by byte: the reference may overlap what it is producing (a run).
    if (out) for (let j = 0; j < len; j++) out[op++] = out[ref++]!;
    else op += len;
  }
  if (op !== outLength) throw new LzfError(end, `output is ${op} bytes, stated ${outLength}`);
}
