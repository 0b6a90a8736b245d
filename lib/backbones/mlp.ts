import { activation } from "../branches/activation.ts";
import { batchNorm } from "../branches/batch_norm.ts";
import { dense } from "../branches/dense.ts";
import { dropout } from "../branches/dropout.ts";
import { empty } from "../branches/empty.ts";
import { flatten } from "../branches/flatten.ts";
import {
  activationName,
  flag,
  fraction,
  noEmbeddingSize,
  positiveIntegers,
} from "../branches/_validate.ts";
import type { Activation, Branch } from "../types.ts";

/**
 * Options of {@linkcode mlp}.
 *
 * @example
 * ```ts
 * import { mlp, type MlpOptions } from "./mlp.ts";
 * const options: MlpOptions = { hidden: [8], activation: "tanh", batchNorm: true, dropout: 0.1 };
 * const kinds = mlp(options).stages.map((s) =>
 *   s.kind === "dense" ? `dense ${s.units}` : s.kind === "activation" ? s.activation : s.kind
 * );
 * // per hidden layer: dense, batch-norm, activation, dropout (no embedding: append one)
 * if (kinds.join() !== "flatten,dense 8,batchNorm,tanh,dropout") throw new Error(kinds.join());
 * ```
 */
export interface MlpOptions {
  /** Widths of the hidden layers (default `[128, 64]`). */
  readonly hidden?: readonly number[];
  /** Hidden activation (default `"relu"`). */
  readonly activation?: Activation;
  /** Add batch-norm before each hidden activation (default false). */
  readonly batchNorm?: boolean;
  /** Dropout rate after each hidden layer (default 0: none). */
  readonly dropout?: number;
}

/**
 * A multi-layer perceptron: flatten (so images work too), then hidden dense layers; it ends at
 * the last hidden layer's features. Append `branches.embedding(size)` for the embedding. For
 * vector data (`inputShape: [d]`) and quick tests.
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { embedding } from "../branches/embedding.ts";
 * import { mlp } from "./mlp.ts";
 * const spec = pipe(mlp({ hidden: [16, 8] }), embedding(4));
 * // flatten, a dense layer and its activation (relu) per hidden width, then the embedding
 * const kinds = spec.stages.map((s) => s.kind === "dense" ? `${s.role ?? "dense"} ${s.units}` : s.kind);
 * if (kinds.join() !== "flatten,dense 16,activation,dense 8,activation,embedding 4") {
 *   throw new Error(kinds.join());
 * }
 * ```
 */
export function mlp(options: MlpOptions = {}): Branch {
  noEmbeddingSize("mlp backbone", options);
  const what = "mlp backbone";
  const hidden = positiveIntegers(what, "hidden", options.hidden ?? [128, 64]);
  const norm = flag(what, "batchNorm", options.batchNorm, false);
  const act = activationName(what, options.activation ?? "relu");
  const rate = fraction(what, "dropout", options.dropout ?? 0);
  let branch = flatten()(empty);
  for (const width of hidden) {
    branch = dense(width)(branch);
    if (norm) branch = batchNorm()(branch);
    branch = activation(act)(branch);
    if (rate > 0) branch = dropout(rate)(branch);
  }
  return branch;
}
