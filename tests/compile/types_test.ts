// Type-level tests: `deno check` (and `deno test`, which type-checks) fails if a pairing
// that must be rejected compiles, because the `@ts-expect-error` would then be unused.
import assert from "node:assert/strict";
import { empty, labelled, nWay, siamese, triplet } from "../../lib/branches/mod.ts";
import { compile, type CompileOptions } from "../../lib/compile/mod.ts";
import {
  contrastive,
  fromPerItem,
  pairBce,
  plus,
  pmlTripletMarginLoss,
  softmaxCrossEntropy,
  tripletMargin,
} from "../../lib/losses/mod.ts";
import type { Labelled, Loss, LossInput, NWay, Pair, Program, Triplet } from "../../lib/types.ts";

// Never called: only type-checked.
function _pairings(): void {
  const branch = empty;
  // Accepted pairings.
  const a: Program<Pair> = compile({
    model: siamese(branch),
    loss: contrastive(),
    inputShape: [2],
  });
  const b: Program<Triplet> = compile({
    model: triplet(branch),
    loss: tripletMargin(),
    inputShape: [2],
  });
  const c: Program<Labelled> = compile({
    model: labelled(branch),
    loss: softmaxCrossEntropy({ classes: 3 }),
    inputShape: [2],
  });
  const d: Program<Pair> = compile({
    model: siamese(branch),
    loss: plus(pairBce(), contrastive()),
    inputShape: [2],
  });
  const e: Program<Labelled> = compile({
    model: labelled(branch),
    loss: pmlTripletMarginLoss(),
    inputShape: [2],
  });
  const f = compile({
    model: nWay(4, branch),
    loss: fromPerItem("first", (t: NWay) => t.items[0].sum(1)),
    inputShape: [2],
  });
  void [a, b, c, d, e, f];

  // A triplet model with a pair loss must not compile.
  // @ts-expect-error Loss<Pair> is not a Loss<Triplet>
  compile({ model: triplet(branch), loss: contrastive(), inputShape: [2] });
  // A pair model with a triplet loss must not compile.
  // @ts-expect-error Loss<Triplet> is not a Loss<Pair>
  compile({ model: siamese(branch), loss: tripletMargin(), inputShape: [2] });
  // A labelled model with a pair loss must not compile.
  // @ts-expect-error Loss<Pair> is not a Loss<Labelled>
  compile({ model: labelled(branch), loss: pairBce(), inputShape: [2] });
  // Losses over different inputs do not add.
  // @ts-expect-error plus needs two losses over the same input
  plus(contrastive(), tripletMargin());
  // A pair program does not take a triplet batch.
  const program = compile({ model: siamese(branch), loss: contrastive(), inputShape: [2] });
  const t = {} as Triplet<import("../../lib/types.ts").Tensor>;
  // @ts-expect-error a pair program trains on pair batches
  program.trainStep(t);
  // Widening does not escape the check: perItem is a function-typed property, so a
  // Loss<Triplet> is not a Loss<LossInput> (with a method it was, and then paired with siamese).
  // @ts-expect-error Loss<Triplet> is not a Loss<LossInput>
  const widened: Loss<LossInput> = tripletMargin();
  compile({ model: siamese(branch), loss: widened, inputShape: [2] });
  // @ts-expect-error a Loss<Pair> is not a Loss<Pair | Triplet> either
  const either: Loss<Pair | Triplet> = contrastive();
  void either;
  // Options are generic in the input kind.
  const options: CompileOptions<LossInput> | undefined = undefined;
  void options;
}

Deno.test("type-level: mismatched model and loss kinds are compile errors (checked by deno check)", () => {
  // The assertions are the @ts-expect-error lines above; this only keeps the file a test.
  assert.equal(typeof _pairings, "function");
});
