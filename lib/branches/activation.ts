import type { Activation, Branch } from "../types.ts";
import { append } from "./_append.ts";
import { activationName } from "./_validate.ts";

/**
 * Appends an element-wise activation.
 *
 * @example
 * ```ts
 * import { activation } from "./activation.ts";
 * import { empty } from "./empty.ts";
 * const stage = activation("relu")(empty).stages[0];
 * if (stage.kind !== "activation" || stage.activation !== "relu") throw new Error("activation");
 * ```
 */
export function activation(name: Activation): (branch: Branch) => Branch {
  return append({ kind: "activation", activation: activationName("activation stage", name) });
}
