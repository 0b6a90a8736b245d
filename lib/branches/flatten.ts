import type { Branch } from "../types.ts";
import { append } from "./_append.ts";

/**
 * Appends a flatten: `[h, w, c]` → `[h·w·c]` (a no-op on vectors).
 *
 * @example
 * ```ts
 * import { flatten } from "./flatten.ts";
 * import { empty } from "./empty.ts";
 * if (flatten()(empty).stages[0].kind !== "flatten") throw new Error("flatten");
 * ```
 */
export function flatten(): (branch: Branch) => Branch {
  return append({ kind: "flatten" });
}
