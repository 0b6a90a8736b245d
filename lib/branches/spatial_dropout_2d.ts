import type { Branch } from "../types.ts";
import { append } from "./_append.ts";
import { fraction } from "./_validate.ts";

/**
 * Appends 2-D spatial dropout: in training, whole channels of an `[h, w, c]` feature map are
 * zeroed with probability `rate` (the rest scaled by `1 / (1 − rate)`); identity at inference.
 * Compiles to the registered custom layer `SpatialDropout2D`, so saved models load.
 *
 * @example
 * ```ts
 * import { spatialDropout2d } from "./spatial_dropout_2d.ts";
 * import { empty } from "./empty.ts";
 * const stage = spatialDropout2d(0.2)(empty).stages[0];
 * if (stage.kind !== "spatialDropout2d" || stage.rate !== 0.2) throw new Error("spatial");
 * ```
 */
export function spatialDropout2d(rate: number): (branch: Branch) => Branch {
  return append({
    kind: "spatialDropout2d",
    rate: fraction("spatialDropout2d stage", "rate", rate),
  });
}
