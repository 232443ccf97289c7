/**
 * Writes RDB primitives into a growing buffer: what re-encoding a value for an older server needs.
 * Strings are written verbatim (no integer or LZF encoding: valid, and the target re-encodes anyway).
 */
export class ByteWriter {
  /** Finished pieces, joined once at the end. */
  readonly #parts: Buffer[] = [];
  /** A scratch buffer for small fields, flushed into #parts when full. */
  #scratch = Buffer.allocUnsafe(4096);
  #used = 0;

  #room(n: number): void {
    if (this.#used + n <= this.#scratch.length) return;
    this.#flush();
    if (n > this.#scratch.length) this.#scratch = Buffer.allocUnsafe(n);
  }

  #flush(): void {
    if (!this.#used) return;
    this.#parts.push(Buffer.from(this.#scratch.subarray(0, this.#used)));
    this.#used = 0;
  }

  u8(b: number): this {
    this.#room(1);
    this.#scratch[this.#used++] = b;
    return this;
  }

  raw(bytes: Uint8Array): this {
    if (bytes.length > 256) {
      this.#flush();
      this.#parts.push(Buffer.from(bytes));
      return this;
    }
    this.#room(bytes.length);
    this.#scratch.set(bytes, this.#used);
    this.#used += bytes.length;
    return this;
  }

  /** rdbSaveLen: 6-bit, 14-bit, 32-bit or 64-bit length. */
  len(n: number | bigint): this {
    const v = BigInt(n);
    if (v < 64n) return this.u8(Number(v));
    if (v < 16384n) return this.u8(0x40 | Number(v >> 8n)).u8(Number(v & 255n));
    this.#room(9);
    if (v <= 0xffffffffn) {
      this.#scratch[this.#used++] = 0x80;
      this.#used = this.#scratch.writeUInt32BE(Number(v), this.#used);
    } else {
      this.#scratch[this.#used++] = 0x81;
      this.#used = this.#scratch.writeBigUInt64BE(v, this.#used);
    }
    return this;
  }

  string(bytes: Uint8Array): this {
    return this.len(bytes.length).raw(bytes);
  }

  i64le(n: number): this {
    this.#room(8);
    this.#used = this.#scratch.writeBigInt64LE(BigInt(n), this.#used);
    return this;
  }

  doubleBinary(d: number): this {
    this.#room(8);
    this.#used = this.#scratch.writeDoubleLE(d, this.#used);
    return this;
  }

  /** rdbSaveDoubleValue (RDB_TYPE_ZSET): text with a length byte, 254/255 for ±inf. */
  doubleString(d: number): this {
    if (d === Number.POSITIVE_INFINITY) return this.u8(254);
    if (d === Number.NEGATIVE_INFINITY) return this.u8(255);
    const text = Buffer.from(String(d), 'latin1');
    return this.u8(text.length).raw(text);
  }

  finish(): Buffer {
    this.#flush();
    return this.#parts.length === 1 ? this.#parts[0]! : Buffer.concat(this.#parts);
  }
}
