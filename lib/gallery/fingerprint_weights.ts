import { sha256 } from "@noble/hashes/sha2.js";
import { builtin, hasBuiltin } from "../_runtime.ts";

/**
 * A model fingerprint for a gallery: the SHA-256 (hex) of the model's weight arrays, in
 * order, each preceded by its length, so that the same weights always give the same string
 * and any changed, added, removed or reordered value gives another. Pass the weights of the
 * model that embeds, e.g. `model.getWeights().map((w) => w.dataSync() as Float32Array)`.
 *
 * @example
 * ```ts
 * import { fingerprintWeights } from "./fingerprint_weights.ts";
 * const a = fingerprintWeights([new Float32Array([1, 2]), new Float32Array([3])]);
 * const b = fingerprintWeights([new Float32Array([1, 2]), new Float32Array([3])]);
 * const c = fingerprintWeights([new Float32Array([1]), new Float32Array([2, 3])]);
 * if (a !== b || a === c || a.length !== 64) throw new Error("fingerprint");
 * ```
 */
export function fingerprintWeights(weights: readonly Float32Array[] | Float32Array): string {
  const list = weights instanceof Float32Array ? [weights] : weights;
  if (!Array.isArray(list)) {
    throw new TypeError(
      "Cannot fingerprint weights as weights must be a Float32Array or an array of them",
    );
  }
  // The runtime's SHA-256 where there is one (1.1 ms for the lecture network's 1.7 MB),
  // else a JavaScript one (10 ms; in a browser): the same digest either way.
  const hash = hasBuiltin("node:crypto")
    ? builtin("node:crypto", "fingerprint weights").createHash("sha256")
    : sha256.create();
  const header = new DataView(new ArrayBuffer(8));
  list.forEach((w, i) => {
    if (!(w instanceof Float32Array)) {
      throw new TypeError(
        `Cannot fingerprint weights as weights[${i}] must be a Float32Array: current value is ${
          w === null ? "null" : typeof w
        }`,
      );
    }
    header.setBigUint64(0, BigInt(w.length), true);
    hash.update(new Uint8Array(header.buffer));
    // Little-endian whatever the platform, so a fingerprint travels between machines.
    const bytes = new Uint8Array(w.length * 4);
    const out = new DataView(bytes.buffer);
    for (let j = 0; j < w.length; j++) out.setFloat32(j * 4, w[j], true);
    hash.update(bytes);
  });
  const digest = hash.digest();
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}
