/** A least-recently-used cache of Float32Arrays bounded by bytes. Private to lib/data. */
export class ByteCache {
  readonly #items = new Map<number, Float32Array>();
  #bytes = 0;
  #peak = 0;
  /** Hits and misses of {@linkcode get}. */
  hits = 0;
  misses = 0;

  /** @param maxBytes The most bytes held at any time. */
  constructor(readonly maxBytes: number) {}

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The most bytes ever held. */
  get peakBytes(): number {
    return this.#peak;
  }

  /** Items held now. */
  get count(): number {
    return this.#items.size;
  }

  /** The value of `key`, marking it most recently used. */
  get(key: number): Float32Array | undefined {
    const v = this.#items.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.#items.delete(key);
    this.#items.set(key, v);
    return v;
  }

  /** Stores `value`, evicting the least recently used until it fits (a value bigger than the cache is not stored). */
  set(key: number, value: Float32Array): void {
    const old = this.#items.get(key);
    if (old !== undefined) {
      this.#items.delete(key);
      this.#bytes -= old.byteLength;
    }
    if (value.byteLength > this.maxBytes) return;
    for (const [k, v] of this.#items) {
      if (this.#bytes + value.byteLength <= this.maxBytes) break;
      this.#items.delete(k);
      this.#bytes -= v.byteLength;
    }
    this.#items.set(key, value);
    this.#bytes += value.byteLength;
    if (this.#bytes > this.#peak) this.#peak = this.#bytes;
  }
}
