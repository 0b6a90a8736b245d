import type { Branch } from "../types.ts";
import { append } from "./_append.ts";

/**
 * Appends a residual block: the output is `main(x) + shortcut(x)`, where `shortcut` is the
 * identity unless given (use a 1×1 `conv2d` to change channels or stride). Both must yield the
 * same shape.
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { conv2d } from "./conv2d.ts";
 * import { empty } from "./empty.ts";
 * import { residual } from "./residual.ts";
 * const block = residual(pipe(empty, conv2d(8), conv2d(8)));
 * if (block(empty).stages[0].kind !== "residual") throw new Error("residual");
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
