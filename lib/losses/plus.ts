import * as tf from "@tensorflow/tfjs";
import type { Loss, LossContext, LossInput, Tensor1D } from "../types.ts";
import { isZero } from "./_zero.ts";
import { mean } from "./mean.ts";
import { sum } from "./sum.ts";

const LINEAR = new Set<unknown>([mean, sum]);

/**
 * The sum of two losses over the same input: its reduced value is `a`'s plus `b`'s. Losses
 * form a monoid under `plus` with {@linkcode zero} as identity.
 *
 * When both reduce with the same linear reducer (`mean` or `sum`), the per-item values add
 * item by item. Otherwise the per-item view of the sum is one value for the whole batch
 * (`perItem` returns `[a + b]`, reduced by `sum`), since e.g. `meanNonZero(x) + mean(y)` has no
 * per-item form. At most one of the two may carry a head, and where both name a distance it
 * must be the same one (the sum is evaluated and searched with it).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { plus } from "./plus.ts";
 * import { contrastive } from "./contrastive.ts";
 * await tf.setBackend("cpu");
 * const both = plus(contrastive(), contrastive({ squared: true }));
 * const pair = { kind: "pair" as const, left: tf.tensor2d([[0, 0]]), right: tf.tensor2d([[0, 2]]), same: tf.tensor1d([1]) };
 * if (both.reduce(both.perItem(pair)).dataSync()[0] !== 6) throw new Error("plus");
 * ```
 */
export function plus<I extends LossInput>(a: Loss<I>, b: Loss<I>): Loss<I> {
  if (isZero(a)) return b;
  if (isZero(b)) return a;
  if (a.head !== undefined && b.head !== undefined) {
    throw new Error(
      `Cannot add losses ${a.name} and ${b.name} as both carry a head: current heads are ${a.head.input} and ${b.head.input}`,
    );
  }
  const name = `${a.name} + ${b.name}`;
  const head = a.head ?? b.head;
  if (a.distance !== undefined && b.distance !== undefined && a.distance.name !== b.distance.name) {
    // the sum would be evaluated, searched and saved with one of the two: say so instead
    throw new Error(
      `Cannot add losses ${a.name} and ${b.name} as they measure with different distances: current distances are ${a.distance.name} and ${b.distance.name}`,
    );
  }
  const distance = a.distance ?? b.distance;
  // learned parameters of both (a name declared twice would be one variable for two losses)
  const parameters = [...(a.parameters ?? []), ...(b.parameters ?? [])];
  const names = parameters.map((p) => p.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) {
    throw new Error(
      `Cannot add losses ${a.name} and ${b.name} as both declare the learned parameter '${twice}': give one of them another name`,
    );
  }
  // buffers (a cross-batch memory's queue) of both, likewise one variable per name
  const buffers = [...(a.buffers ?? []), ...(b.buffers ?? [])];
  const bufferNames = buffers.map((p) => p.name);
  const twiceBuffer = bufferNames.find((n, i) => bufferNames.indexOf(n) !== i);
  if (twiceBuffer !== undefined) {
    throw new Error(
      `Cannot add losses ${a.name} and ${b.name} as both declare the buffer '${twiceBuffer}': wrap only one of them in a memory`,
    );
  }
  const extra = {
    ...(head ? { head } : {}),
    ...(distance ? { distance } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(buffers.length > 0 ? { buffers } : {}),
    // the sum can take a memory's reference rows only if both terms can
    ...(a.acceptsReference && b.acceptsReference ? { acceptsReference: true } : {}),
  };
  if (a.reduce === b.reduce && LINEAR.has(a.reduce)) {
    return {
      name,
      reduce: a.reduce,
      perItem: (input: I, context?: LossContext): Tensor1D =>
        tf.tidy(() => {
          const pa = a.perItem(input, context), pb = b.perItem(input, context);
          if (pa.shape[0] !== pb.shape[0]) {
            throw new Error(
              `Cannot add losses ${a.name} and ${b.name} item by item as their lengths differ: current lengths are ${
                pa.shape[0]
              } and ${pb.shape[0]}`,
            );
          }
          return tf.add(pa, pb) as Tensor1D;
        }),
      ...extra,
    };
  }
  return {
    name,
    reduce: sum,
    perItem: (input: I, context?: LossContext): Tensor1D =>
      tf.tidy(() =>
        tf.reshape(
          tf.add(a.reduce(a.perItem(input, context)), b.reduce(b.perItem(input, context))),
          [1],
        ) as Tensor1D
      ),
    ...extra,
  };
}
