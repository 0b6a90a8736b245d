import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { plus } from "../../lib/losses/plus.ts";
import { tripletMargin } from "../../lib/losses/triplet_margin.ts";
import { softMarginTriplet } from "../../lib/losses/soft_margin_triplet.ts";
import { cosine } from "../../lib/distances/cosine.ts";
import { euclidean } from "../../lib/distances/euclidean.ts";

await tf.setBackend("cpu");

Deno.test("plus refuses two losses measured with different distances, naming both", () => {
  // Before: the sum silently kept the first loss's distance, so a model trained on
  // euclidean + cosine terms was evaluated and searched with euclidean alone.
  assert.throws(
    () => plus(tripletMargin({ distance: euclidean }), tripletMargin({ distance: cosine })),
    /Cannot add losses triplet-margin and triplet-margin as they measure with different distances: current distances are euclidean and cosine/,
  );
});

Deno.test("plus keeps the one distance both losses share, or the only one given", () => {
  const same = plus(tripletMargin({ distance: cosine }), softMarginTriplet({ distance: cosine }));
  assert.equal(same.distance?.name, "cosine");
  const one = plus(tripletMargin({ distance: cosine }), {
    name: "noDistance",
    perItem: (i: { anchor: tf.Tensor2D }) => tf.zeros([i.anchor.shape[0]]) as tf.Tensor1D,
    reduce: tripletMargin().reduce,
  } as unknown as ReturnType<typeof tripletMargin>);
  assert.equal(one.distance?.name, "cosine");
});
