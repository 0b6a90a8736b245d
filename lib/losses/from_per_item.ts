import type { Distance, Loss, LossContext, LossInput, Reducer, Tensor1D } from "../types.ts";
import { checkDistance } from "../distances/host.ts";
import { isFunction } from "./_validate.ts";
import { mean } from "./mean.ts";

/**
 * Builds a loss from a name, a per-item function and a reducer (default {@linkcode mean}).
 * The per-item function gets the loss input (embeddings, not images) and returns one value
 * per pair, triplet or row. Give `distance` (the distance the per-item function compares
 * embeddings with) so that `Program.scorePairs` scores with it; without it `scorePairs`
 * throws rather than guess.
 *
 * A custom loss in a few lines, trained (annotate the input type, or pass it as the type
 * argument, so `compile` can check it against the model):
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pipe } from "../pipe.ts";
 * import type { Triplet } from "../types.ts";
 * import { dense, empty, triplet } from "../branches/mod.ts";
 * import { compile } from "../compile/mod.ts";
 * import { euclidean } from "../distances/mod.ts";
 * import { fromPerItem } from "./from_per_item.ts";
 * await tf.setBackend("cpu");
 *
 * const softTriplet = fromPerItem("soft-triplet", ({ anchor, positive, negative }: Triplet) =>
 *   tf.softplus(tf.sub(euclidean.rows(anchor, positive), euclidean.rows(anchor, negative))), undefined, euclidean);
 *
 * const model = triplet(pipe(empty, dense(8, { activation: "tanh" }), dense(2)));
 * const program = compile({ model, loss: softTriplet, inputShape: [4], learningRate: 0.05 });
 * const a = tf.tensor2d([[1, 0, 0, 0], [0, 1, 0, 0]]);
 * const batch = { kind: "triplet" as const, anchor: a, positive: tf.add(a, 0.1), negative: tf.sub(0, a) };
 * const before = program.evaluate(batch).dataSync()[0];
 * for (let i = 0; i < 20; i++) program.trainStep(batch).dispose();
 * if (!(program.evaluate(batch).dataSync()[0] < before)) throw new Error("it trains");
 * // the loss's distance scores pairs: an item is at distance 0 from itself
 * if (program.scorePairs(a, a).dataSync().join() !== "0,0") throw new Error("scorePairs");
 * program.dispose();
 * ```
 */
export function fromPerItem<I extends LossInput>(
  name: string,
  perItem: (input: I, context?: LossContext) => Tensor1D,
  reduce: Reducer = mean,
  distance?: Distance,
): Loss<I> {
  if (typeof name !== "string" || name.length === 0) {
    throw new Error(
      `Cannot create loss as name must be a non-empty string: current value is ${name}`,
    );
  }
  isFunction(`loss ${name}`, "perItem", perItem);
  isFunction(`loss ${name}`, "reduce", reduce);
  if (distance !== undefined) checkDistance(`create loss ${name}`, "distance", distance);
  return { name, perItem, reduce, ...(distance === undefined ? {} : { distance }) };
}
