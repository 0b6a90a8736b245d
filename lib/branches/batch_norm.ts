import type { Branch } from "../types.ts";
import { append } from "./_append.ts";
import { fraction, positive } from "./_validate.ts";

/**
 * Options of {@linkcode batchNorm}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchNorm, type BatchNormOptions } from "./batch_norm.ts";
 * import { empty } from "./empty.ts";
 * const options: BatchNormOptions = { momentum: 0.9, epsilon: 1e-5 };
 * assert.deepEqual(batchNorm(options)(empty).stages, [{ kind: "batchNorm", momentum: 0.9, epsilon: 1e-5 }]);
 * ```
 */
export interface BatchNormOptions {
  /** Moving-average momentum of the inference statistics (default 0.99, as Keras). */
  readonly momentum?: number;
  /** Added to the variance (default 0.001, as Keras). */
  readonly epsilon?: number;
}

/**
 * Appends batch normalisation over the last axis (4 weights per channel: γ, β trainable;
 * moving mean and variance not). Training steps normalise with the batch's statistics and
 * update the moving ones; inference uses the moving ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { batchNorm } from "./batch_norm.ts";
 * import { empty } from "./empty.ts";
 * // the momentum asked for, the default epsilon (tfjs's defaults are 0.99 and 1e-3)
 * assert.deepEqual(batchNorm({ momentum: 0.9 })(empty).stages, [{ kind: "batchNorm", momentum: 0.9, epsilon: 1e-3 }]);
 * assert.deepEqual(batchNorm()(empty).stages, [{ kind: "batchNorm", momentum: 0.99, epsilon: 1e-3 }]);
 * ```
 */
export function batchNorm(options: BatchNormOptions = {}): (branch: Branch) => Branch {
  return append({
    kind: "batchNorm",
    momentum: fraction("batchNorm stage", "momentum", options.momentum ?? 0.99),
    epsilon: positive("batchNorm stage", "epsilon", options.epsilon ?? 1e-3),
  });
}
