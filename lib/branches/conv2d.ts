import type { Activation, Branch } from "../types.ts";
import { append } from "./_append.ts";
import { activationName, positiveInteger } from "./_validate.ts";

/**
 * Options of {@linkcode conv2d}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { conv2d, type Conv2dOptions } from "./conv2d.ts";
 * import { empty } from "./empty.ts";
 * const options: Conv2dOptions = { kernelSize: 1, strides: 2, padding: "valid", activation: "elu", useBias: false };
 * assert.deepEqual(conv2d(4, options)(empty).stages, [{ kind: "conv2d", filters: 4, ...options }]);
 * ```
 */
export interface Conv2dOptions {
  /** Square kernel side (default 3). */
  readonly kernelSize?: number;
  /** Stride (default 1). */
  readonly strides?: number;
  /** `"same"` keeps the spatial size at stride 1 (default), `"valid"` shrinks it. */
  readonly padding?: "same" | "valid";
  /** Applied to the output (default `"linear"`). */
  readonly activation?: Activation;
  /** Whether the layer adds a bias (default true). */
  readonly useBias?: boolean;
}

/**
 * Appends a 2-D convolution with `filters` output channels. Its input must be `[h, w, c]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { conv2d } from "./conv2d.ts";
 * import { empty } from "./empty.ts";
 * const b = conv2d(8, { kernelSize: 5, activation: "relu" })(empty);
 * // what was asked for; stride 1, "same" padding and a bias by default
 * assert.deepEqual(b.stages, [
 *   { kind: "conv2d", filters: 8, kernelSize: 5, strides: 1, padding: "same", activation: "relu", useBias: true },
 * ]);
 * ```
 */
export function conv2d(filters: number, options: Conv2dOptions = {}): (branch: Branch) => Branch {
  const padding = options.padding ?? "same";
  if (padding !== "same" && padding !== "valid") {
    throw new Error(
      `Cannot create conv2d stage as padding must be "same" or "valid": current value is ${padding}`,
    );
  }
  return append({
    kind: "conv2d",
    filters: positiveInteger("conv2d stage", "filters", filters),
    kernelSize: positiveInteger("conv2d stage", "kernelSize", options.kernelSize ?? 3),
    strides: positiveInteger("conv2d stage", "strides", options.strides ?? 1),
    padding,
    activation: activationName("conv2d stage", options.activation ?? "linear"),
    useBias: options.useBias ?? true,
  });
}
