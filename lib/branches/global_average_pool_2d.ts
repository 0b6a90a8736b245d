import type { Branch } from "../types.ts";
import { append } from "./_append.ts";

/**
 * Appends global average pooling: `[h, w, c]` → `[c]`.
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { conv2d } from "./conv2d.ts";
 * import { empty } from "./empty.ts";
 * import { globalAveragePool2d } from "./global_average_pool_2d.ts";
 * const b = pipe(empty, conv2d(4), globalAveragePool2d());
 * if (b.stages.map((s) => s.kind).join() !== "conv2d,globalAveragePool2d") throw new Error("appended last");
 * ```
 */
export function globalAveragePool2d(): (branch: Branch) => Branch {
  return append({ kind: "globalAveragePool2d" });
}
