import type { Branch } from "../types.ts";
import { append } from "./_append.ts";

/**
 * Appends global average pooling: `[h, w, c]` → `[c]`.
 *
 * @example
 * ```ts
 * import { globalAveragePool2d } from "./global_average_pool_2d.ts";
 * import { empty } from "./empty.ts";
 * const b = globalAveragePool2d()(empty);
 * if (b.stages[0].kind !== "globalAveragePool2d") throw new Error("gap");
 * ```
 */
export function globalAveragePool2d(): (branch: Branch) => Branch {
  return append({ kind: "globalAveragePool2d" });
}
