/**
 * LSD radix sort of unsigned 32-bit keys (four 8-bit passes, a pass skipped when every key
 * shares its byte). Non-negative float32 values sort correctly by their bit patterns, so
 * the ranking metrics sort float32 distances as `Uint32Array` views.
 *
 * @module
 */

/** Scratch space for {@linkcode sortKeys}: `tmp` at least as long as the keys sorted. */
export interface RadixScratch {
  /** Second buffer the passes alternate with. */
  readonly tmp: Uint32Array;
  /** 256 bucket counters. */
  readonly counts: Int32Array;
}

/** Scratch space for sorting up to `n` keys. */
export function radixScratch(n: number): RadixScratch {
  return { tmp: new Uint32Array(Math.max(1, n)), counts: new Int32Array(256) };
}

/** Sorts `keys[0, n)` ascending in place. */
export function sortKeys(keys: Uint32Array, n: number, scratch: RadixScratch): void {
  const { counts } = scratch;
  let src = keys, dst = scratch.tmp;
  for (let shift = 0; shift < 32; shift += 8) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[(src[i] >>> shift) & 255]++;
    if (counts[(src[0] >>> shift) & 255] === n) continue; // all keys share this byte
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const c = counts[b];
      counts[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const v = src[i];
      dst[counts[(v >>> shift) & 255]++] = v;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  if (src !== keys) keys.set(src.subarray(0, n));
}
