/**
 * A WebAssembly SIMD kernel (128-bit, four float32 lanes) for blocks of distances: four
 * query rows against all reference rows, the references stored transposed in groups of
 * four so that one vector holds one coordinate of four references. Two exports:
 * `sq(refs, blocks, dim, qs, out)` (squared Euclidean) and `l1(…)` (Manhattan).
 *
 * The module (761 bytes) is `_simd_kernel.wat` assembled by wabt's `wat2wasm` (npm
 * `wabt@1.0.39`: `parseWat(name, text, { simd: true }).toBinary({})`, then base64). In
 * outline: for each block b, `a_i = 0` (i < 4); for k < dim, `r = load(refs + (b·dim +
 * k)·16)`, `d = r − load(qs + (i·dim + k)·16)`, `a_i += d·d` (l1: `a_i += |d|`); store
 * `a_i` at `out + i·blocks·16 + b·16`.
 *
 * @module
 */

const WASM_BASE64 =
  "AGFzbQEAAAABCQFgBX9/f39/AAMDAgAABQMBAAEHFAMGbWVtb3J5AgACc3EAAAJsMQABCsMFAusCAgd/BnsgAkEQbCEKIAFBEGwhCyAAIQcgBCEJQQAhBQJAA0AgBSABTw0B/QwAAAAAAAAAAAAAAAAAAAAAIQ79DAAAAAAAAAAAAAAAAAAAAAAhD/0MAAAAAAAAAAAAAAAAAAAAACEQ/QwAAAAAAAAAAAAAAAAAAAAAIREgAyEIQQAhBgJAA0AgBiACTw0BIAf9AAQAIQwgDCAI/QAEAP3lASENIA4gDSAN/eYB/eQBIQ4gDCAIIApq/QAEAP3lASENIA8gDSAN/eYB/eQBIQ8gDCAIIApBAmxq/QAEAP3lASENIBAgDSAN/eYB/eQBIRAgDCAIIApBA2xq/QAEAP3lASENIBEgDSAN/eYB/eQBIREgB0EQaiEHIAhBEGohCCAGQQFqIQYMAAsLIAkgDv0LBAAgCSALaiAP/QsEACAJIAtBAmxqIBD9CwQAIAkgC0EDbGogEf0LBAAgCUEQaiEJIAVBAWohBQwACwsL0wICB38FeyACQRBsIQogAUEQbCELIAAhByAEIQlBACEFAkADQCAFIAFPDQH9DAAAAAAAAAAAAAAAAAAAAAAhDf0MAAAAAAAAAAAAAAAAAAAAACEO/QwAAAAAAAAAAAAAAAAAAAAAIQ/9DAAAAAAAAAAAAAAAAAAAAAAhECADIQhBACEGAkADQCAGIAJPDQEgB/0ABAAhDCANIAwgCP0ABAD95QH94AH95AEhDSAOIAwgCCAKav0ABAD95QH94AH95AEhDiAPIAwgCCAKQQJsav0ABAD95QH94AH95AEhDyAQIAwgCCAKQQNsav0ABAD95QH94AH95AEhECAHQRBqIQcgCEEQaiEIIAZBAWohBgwACwsgCSAN/QsEACAJIAtqIA79CwQAIAkgC0ECbGogD/0LBAAgCSALQQNsaiAQ/QsEACAJQRBqIQkgBUEBaiEFDAALCws=";

/** The kernel's exports. */
export interface SimdKernel {
  /** Linear memory shared with JavaScript. */
  readonly memory: WebAssembly.Memory;
  /** Squared Euclidean distances of 4 queries to `4 · blocks` references. */
  readonly sq: (refs: number, blocks: number, dim: number, qs: number, out: number) => void;
  /** Manhattan distances of 4 queries to `4 · blocks` references. */
  readonly l1: (refs: number, blocks: number, dim: number, qs: number, out: number) => void;
}

let cached: SimdKernel | null | undefined;

/** The kernel, or null where WebAssembly SIMD is unavailable (then use the JS kernel). */
export function simdKernel(): SimdKernel | null {
  if (cached === undefined) {
    try {
      const bytes = Uint8Array.from(atob(WASM_BASE64), (c) => c.charCodeAt(0));
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
      cached = instance.exports as unknown as SimdKernel;
    } catch {
      cached = null;
    }
  }
  return cached;
}
