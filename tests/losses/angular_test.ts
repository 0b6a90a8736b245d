// angular against a loop oracle written from Wang et al. 2017 (eq. 8, N-pair form over every
// same-class pair, pml's normalisation of anchors and positives), plus finite differences.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { angular } from "../../lib/losses/mod.ts";
import { checkOracle, unitRows } from "./_check.ts";
import { angularOracle as oracle } from "./_pml_oracles.ts";

await tf.setBackend("cpu");

checkOracle("angular", [
  { name: "α 40", loss: angular(), oracle: (b) => oracle(b) },
  { name: "α 40, unit rows", loss: angular(), oracle: (b) => oracle(b), rows: unitRows },
  { name: "α 25", loss: angular({ alpha: 25 }), oracle: (b) => oracle(b, 25) },
]);

Deno.test("angular names a bad angle", () => {
  for (const alpha of [0, 90, -3, NaN]) {
    assert.throws(
      () => angular({ alpha }),
      new RegExp(
        `options\\.alpha must be an angle in degrees in \\(0, 90\\): current value is ${alpha}`,
      ),
    );
  }
});
