// One conformance suite that every built-in loss (with every built-in distance where the loss
// takes one) passes: finite and non-negative on random batches, zero when the margins are met,
// gradients that match finite differences and reach the backbone, no tensor left behind.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../../lib/pipe.ts";
import { dense, empty, labelled, siamese, triplet } from "../../lib/branches/mod.ts";
import { compile } from "../../lib/compile/mod.ts";
import {
  distanceWeighted,
  multiSimilarityMiner,
  pairMarginMiner,
  tripletMarginMiner,
} from "../../lib/miners/mod.ts";
import { cosine, euclidean, manhattan, squaredEuclidean } from "../../lib/distances/mod.ts";
import {
  angular,
  circle,
  classWeighted,
  contrastive,
  fastAP,
  generalizedLiftedStructure,
  lpRegularizer,
  marginLoss,
  mean,
  multiSimilarity,
  nPairs,
  ntXent,
  pairBce,
  perAnchor,
  plus,
  pmlContrastiveLoss,
  pmlTripletMarginLoss,
  softMarginTriplet,
  softmaxCrossEntropy,
  supCon,
  thresholdReducer,
  tripletMargin,
  weighted,
} from "../../lib/losses/mod.ts";
import type {
  Batch,
  Branch,
  Distance,
  Loss,
  LossContext,
  LossInput,
  Model,
  Tensor,
  Tensor2D,
} from "../../lib/types.ts";
import { analytic, assertGradientClose, finiteDifference5 } from "../distances/_fd.ts";

await tf.setBackend("cpu");

const N = 6, D = 4;
const DISTANCES: Record<string, Distance> = { euclidean, squaredEuclidean, cosine, manhattan };

interface Case<I extends LossInput> {
  readonly name: string;
  readonly loss: Loss<I>;
  readonly model: (b: Branch) => Model<I>;
  /** Builds the loss input from rows of one tensor `[k·N, D]` (k = arity). */
  readonly assemble: (x: Tensor2D) => I;
  readonly arity: number;
  /** Rows (k·N of them) that meet every margin, or undefined for losses without a margin. */
  readonly met?: () => Tensor2D;
  /** A fixed head for losses that carry one. */
  readonly head?: (x: Tensor2D) => Tensor2D;
  /**
   * Set for losses whose gradient by design is not the derivative of their value (weights
   * held constant, as the paper prescribes): finite differences of the value cannot check it,
   * the loss's own test checks it against a frozen-weight surrogate (named here).
   */
  readonly gradientCheckedIn?: string;
}

const LABELS = [0, 0, 1, 1, 2, 2];
const SAME = [1, 0, 1, 0, 1, 0];
const pairOf = (x: Tensor2D) => {
  const [left, right] = tf.split(x, 2) as Tensor2D[];
  return { kind: "pair" as const, left, right, same: tf.tensor1d(SAME) };
};
const tripletOf = (x: Tensor2D) => {
  const [anchor, positive, negative] = tf.split(x, 3) as Tensor2D[];
  return { kind: "triplet" as const, anchor, positive, negative };
};
const labelledOf = (x: Tensor2D) => ({
  kind: "labelled" as const,
  embeddings: x,
  labels: tf.tensor1d(LABELS, "int32"),
});
// Rows meeting every margin (1) under every built-in distance: identical when they should be
// close, opposite and far when they should be apart.
const u = [1, 0.5, 0, 0], far = u.map((v) => -5 * v);
const metPairs = () => tf.tensor2d([...Array(N).fill(u), ...SAME.map((s) => (s ? u : far))]);
const metTriplets = () =>
  tf.tensor2d([...Array(N).fill(u), ...Array(N).fill(u), ...Array(N).fill(far)]);
const metLabelled = () =>
  tf.tensor2d(LABELS.map((l) => [[1, 0, 0, 0], [-1, 7, 0, 0], [-1, -1, 9, 0]][l]));

const headWeights = tf.randomNormal([2 * D, 1], 0, 0.5, "float32", 5);
const classWeights = tf.randomNormal([D, 3], 0, 0.5, "float32", 6);

// deno-lint-ignore no-explicit-any
const CASES: Case<any>[] = [
  ...Object.entries(DISTANCES).flatMap(([dn, distance]) => [
    {
      name: `contrastive/${dn}`,
      loss: contrastive({ distance }),
      model: siamese,
      assemble: pairOf,
      arity: 2,
      met: metPairs,
    },
    {
      name: `contrastive-squared/${dn}`,
      loss: contrastive({ distance, squared: true }),
      model: siamese,
      assemble: pairOf,
      arity: 2,
      met: metPairs,
    },
    {
      name: `tripletMargin/${dn}`,
      loss: tripletMargin({ distance }),
      model: triplet,
      assemble: tripletOf,
      arity: 3,
      met: metTriplets,
    },
    {
      name: `softMarginTriplet/${dn}`,
      loss: softMarginTriplet({ distance }),
      model: triplet,
      assemble: tripletOf,
      arity: 3,
    },
    {
      name: `pmlContrastiveLoss/${dn}`,
      loss: pmlContrastiveLoss({ distance }),
      model: labelled,
      assemble: labelledOf,
      arity: 1,
      met: metLabelled,
    },
    {
      name: `pmlTripletMarginLoss/${dn}`,
      loss: pmlTripletMarginLoss({ distance }),
      model: labelled,
      assemble: labelledOf,
      arity: 1,
      met: metLabelled,
    },
    {
      name: `generalizedLiftedStructure/${dn}`,
      loss: generalizedLiftedStructure({ distance }),
      model: labelled,
      assemble: labelledOf,
      arity: 1,
      // its soft maximum over a row's 4 negatives is 0 only when every d > 1 + log 4 ≈ 2.39:
      // beyond cosine's largest distance 2
      met: dn === "cosine" ? undefined : metLabelled,
    },
    {
      name: `marginLoss/${dn}`,
      loss: marginLoss({ distance }),
      model: labelled,
      assemble: labelledOf,
      arity: 1,
      // every d(a, n) ≥ β + α = 1.4: cosine distances of metLabelled's classes are ≈ 1.1
      met: dn === "cosine" ? undefined : metLabelled,
    },
    {
      name: `nPairs/${dn}`,
      loss: nPairs({ distance }),
      model: labelled,
      assemble: labelledOf,
      arity: 1,
    },
  ]),
  // Labelled losses added with issue #14 (pml's defaults), and the new reducers on them.
  { name: "nPairs/dot", loss: nPairs(), model: labelled, assemble: labelledOf, arity: 1 },
  {
    name: "marginLoss + tripletMarginMiner",
    loss: marginLoss({ miner: tripletMarginMiner({ margin: 1 }) }),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
    met: metLabelled,
    // the mined set and the divisor change under a finite step: checked with the selection
    // fixed (float64 oracle differences) there
    gradientCheckedIn: "tests/losses/margin_loss_test.ts",
  },
  {
    name: "marginLoss + distanceWeighted",
    loss: marginLoss({ miner: distanceWeighted({ seed: 2, nonzeroLossCutoff: 3 }) }),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
    met: metLabelled,
    // the draws depend on the batch's exact values: checked with the selection fixed there
    gradientCheckedIn: "tests/losses/margin_loss_test.ts",
  },
  { name: "angular", loss: angular(), model: labelled, assemble: labelledOf, arity: 1 },
  {
    name: "fastAP",
    loss: fastAP({ histogramMax: 40 }),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
    // piecewise linear: float32 differences straddle its kinks; checked against finite
    // differences of a float64 oracle there
    gradientCheckedIn: "tests/losses/fast_ap_test.ts",
  },
  {
    name: "multiSimilarity + pairMarginMiner",
    loss: multiSimilarity({ miner: pairMarginMiner({ posMargin: 0.1, negMargin: 1.5 }) }),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
  },
  {
    name: "perAnchor(pmlTripletMarginLoss)",
    loss: perAnchor(pmlTripletMarginLoss(), { aggregate: mean }),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
    met: metLabelled,
  },
  {
    name: "classWeighted(multiSimilarity)",
    loss: classWeighted(multiSimilarity(), [1, 2, 0.5]),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
  },
  {
    name: "pmlTripletMarginLoss, thresholdReducer",
    loss: { ...pmlTripletMarginLoss({ margin: 1 }), reduce: thresholdReducer({ low: 0 }) },
    model: labelled,
    assemble: labelledOf,
    arity: 1,
    met: metLabelled,
    // discontinuous where an item crosses a bound; its exact gradient is checked there
    gradientCheckedIn: "tests/losses/reducers_test.ts",
  },
  {
    name: "plus(nPairs, 0.01·lpRegularizer)",
    loss: plus(nPairs(), weighted(lpRegularizer({ power: 2 }), 0.01)),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
  },
  {
    name: "plus(contrastive, lpRegularizer) on pairs",
    loss: plus(contrastive(), lpRegularizer()),
    model: siamese,
    assemble: pairOf,
    arity: 2,
  },
  {
    name: "pairBce",
    loss: pairBce(),
    model: siamese,
    assemble: pairOf,
    arity: 2,
    head: (z) => tf.matMul(z, headWeights),
  },
  {
    name: "softmaxCrossEntropy",
    loss: softmaxCrossEntropy({ classes: 3 }),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
    head: (z) => tf.matMul(z, classWeights),
  },
  // Similarity-based losses on labelled batches (default distance cosine, s = 1 − d).
  {
    name: "multiSimilarity",
    loss: multiSimilarity(),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
  },
  {
    name: "multiSimilarity + miner",
    loss: multiSimilarity({ miner: multiSimilarityMiner() }),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
  },
  { name: "ntXent", loss: ntXent(), model: labelled, assemble: labelledOf, arity: 1 },
  {
    name: "ntXent τ 0.5",
    loss: ntXent({ temperature: 0.5 }),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
  },
  { name: "supCon", loss: supCon(), model: labelled, assemble: labelledOf, arity: 1 },
  {
    name: "supCon τ 0.5",
    loss: supCon({ temperature: 0.5 }),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
  },
  {
    name: "circle",
    loss: circle(),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
    gradientCheckedIn: "tests/losses/circle_test.ts",
  },
  {
    name: "circle + miner",
    loss: circle({ miner: multiSimilarityMiner() }),
    model: labelled,
    assemble: labelledOf,
    arity: 1,
    gradientCheckedIn: "tests/losses/circle_test.ts",
  },
  {
    name: "plus(contrastive, 0.5·contrastive-squared)",
    loss: plus(contrastive(), weighted(contrastive({ squared: true }), 0.5)),
    model: siamese,
    assemble: pairOf,
    arity: 2,
    met: metPairs,
  },
];

const valueOf = <I extends LossInput>(c: Case<I>, x: Tensor) =>
  tf.tidy(() => {
    const context: LossContext = c.head ? { training: false, head: c.head } : { training: false };
    return c.loss.reduce(c.loss.perItem(c.assemble(x as Tensor2D), context));
  });

for (const c of CASES) {
  Deno.test(`conformance ${c.name}: finite, non-negative, no leak`, () => {
    for (const seed of [1, 2, 3]) {
      const x = tf.randomNormal([c.arity * N, D], 0, 1, "float32", seed);
      const input = c.assemble(x as Tensor2D);
      const before = tf.memory().numTensors;
      const context = c.head ? { training: false, head: c.head } : { training: false };
      const perItem = c.loss.perItem(input, context);
      const reduced = c.loss.reduce(perItem);
      const values = [...perItem.dataSync(), reduced.dataSync()[0]];
      assert.ok(values.every(Number.isFinite), `${c.name}: finite ${values}`);
      assert.ok(values.every((v) => v >= 0), `${c.name}: non-negative ${values}`);
      assert.equal(perItem.rank, 1);
      tf.dispose([perItem, reduced]);
      assert.equal(tf.memory().numTensors, before, `${c.name}: tensors left behind`);
      tf.dispose([x, ...Object.values(input).filter((v) => v instanceof tf.Tensor)]);
    }
  });

  if (c.met !== undefined) {
    Deno.test(`conformance ${c.name}: zero when the margins are met`, () => {
      const x = c.met!();
      const v = valueOf(c, x);
      assert.ok(Math.abs(v.dataSync()[0]) < 1e-6, `${c.name}: ${v.dataSync()[0]}`);
      tf.dispose([x, v]);
    });
  }

  // Circle's per-pair weights are not differentiated (as in the paper and PML), so finite
  // differences of its value are not its gradient: the exact check is in `gradientCheckedIn`
  // (a frozen-weight surrogate), and the backbone test below still asserts a finite, non-zero
  // gradient. Not registering the case keeps "ignored" for missing dependencies only.
  if (c.gradientCheckedIn === undefined) {
    Deno.test({
      name: `conformance ${c.name}: gradient matches finite differences`,
    }, () => {
      const x = tf.randomNormal([c.arity * N, D], 0, 1, "float32", 11);
      const values = Array.from(x.dataSync());
      const shape = [c.arity * N, D];
      const f = (t: Tensor) => valueOf(c, t);
      // Five-point differences (truncation O(h⁴)) against a tolerance of 0.5 % of each entry
      // plus 0.02 % of the largest: a 2 % error in a distance's gradient fails here.
      const worst = assertGradientClose(
        analytic(f, values, shape),
        finiteDifference5(f, values, shape, 7e-3),
      );
      if (Deno.env.get("LIKENESS_FD_REPORT")) console.log(`${c.name}: worst ${worst.toFixed(3)}`);
      x.dispose();
    });
  }

  Deno.test(`conformance ${c.name}: the gradient reaches the backbone, steps leak nothing`, () => {
    const branch = pipe(empty, dense(8, { activation: "tanh" }), dense(D));
    const program = compile({ model: c.model(branch), loss: c.loss, inputShape: [5], seed: 3 });
    const raw = tf.randomNormal([c.arity * N, 5], 0, 1, "float32", 4) as Tensor2D;
    const split = c.arity === 1 ? [raw] : (tf.split(raw, c.arity) as Tensor2D[]);
    const batch = (c.arity === 1
      ? labelledOf(raw)
      : c.arity === 2
      ? { kind: "pair", left: split[0], right: split[1], same: tf.tensor1d(SAME) }
      : { kind: "triplet", anchor: split[0], positive: split[1], negative: split[2] }) as Batch<
        LossInput
      >;
    const weights = program.trainableWeights();
    const { value, grads } = tf.variableGrads(() =>
      program.evaluate(batch), weights);
    const first = grads[weights[0].name]; // the first layer's kernel: the backbone's input end
    assert.ok(first !== undefined, `${c.name}: no gradient for ${weights[0].name}`);
    const g = first.dataSync();
    assert.ok(g.every(Number.isFinite) && g.some((v) => v !== 0), `${c.name}: gradient ${g}`);
    tf.dispose([value, ...Object.values(grads)]);
    program.trainStep(batch).dispose(); // creates the optimizer's slots
    const before = tf.memory().numTensors;
    program.trainStep(batch).dispose();
    program.evaluate(batch).dispose();
    assert.equal(tf.memory().numTensors, before, `${c.name}: a step left tensors behind`);
    program.dispose();
    tf.dispose([raw, ...split, ...Object.values(batch).filter((v) => v instanceof tf.Tensor)]);
  });
}
