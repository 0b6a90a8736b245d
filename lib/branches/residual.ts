import type { Branch } from "../types.ts";
import { append } from "./_append.ts";

/**
 * Appends a residual block: the output is `main(x) + shortcut(x)`, where `shortcut` is the
 * identity unless given (use a 1×1 `conv2d` to change channels or stride). Both must yield the
 * same shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pipe } from "../pipe.ts";
 * import { conv2d } from "./conv2d.ts";
 * import { empty } from "./empty.ts";
 * import { residual } from "./residual.ts";
 * const main = pipe(empty, conv2d(8), conv2d(8));
 * const stage = residual(main)(empty).stages[0];
 * // one stage holding the main path; an identity shortcut unless one is given
 * assert.equal(stage.kind, "residual");
 * assert.deepEqual(stage.kind === "residual" && [stage.main, stage.shortcut], [main.stages, []]);
 * ```
 */
export function residual(
  main: Branch,
  options: { readonly shortcut?: Branch } = {},
): (branch: Branch) => Branch {
  if (main.stages.length === 0) {
    throw new Error("Cannot create residual stage as main must have stages: current length is 0");
  }
  return append({ kind: "residual", main: main.stages, shortcut: options.shortcut?.stages ?? [] });
}
