import type { Branch } from "../types.ts";
import { append } from "./_append.ts";

/**
 * Appends a flatten: `[h, w, c]` → `[h·w·c]` (a no-op on vectors).
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { conv2d } from "./conv2d.ts";
 * import { empty } from "./empty.ts";
 * import { flatten } from "./flatten.ts";
 * const b = pipe(empty, conv2d(4), flatten());
 * if (b.stages.map((s) => s.kind).join() !== "conv2d,flatten") throw new Error("appended last");
 * ```
 */
export function flatten(): (branch: Branch) => Branch {
  return append({ kind: "flatten" });
}
