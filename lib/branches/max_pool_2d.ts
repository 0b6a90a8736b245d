import type { Branch } from "../types.ts";
import { append } from "./_append.ts";
import { positiveInteger } from "./_validate.ts";

/**
 * Appends 2-D max pooling over `poolSize × poolSize` windows (stride `poolSize` unless given).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxPool2d } from "./max_pool_2d.ts";
 * import { empty } from "./empty.ts";
 * // strides default to the pool size: non-overlapping windows
 * assert.deepEqual(maxPool2d(3)(empty).stages, [{ kind: "maxPool2d", poolSize: 3, strides: 3 }]);
 * ```
 */
export function maxPool2d(
  poolSize = 2,
  options: { readonly strides?: number } = {},
): (branch: Branch) => Branch {
  const size = positiveInteger("maxPool2d stage", "poolSize", poolSize);
  return append({
    kind: "maxPool2d",
    poolSize: size,
    strides: positiveInteger("maxPool2d stage", "strides", options.strides ?? size),
  });
}
