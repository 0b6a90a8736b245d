// angular against a loop oracle written from Wang et al. 2017 (eq. 8, N-pair form over every
// same-class pair, pml's normalisation of anchors and positives), plus finite differences.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { angular } from "../../lib/losses/mod.ts";
import { checkOracle, unitRows } from "./_check.ts";
import { type Batch, logSumExp, partners } from "./_oracle.ts";

await tf.setBackend("cpu");

const dotOf = (a: number[], b: number[]) => a.reduce((s, v, k) => s + v * b[k], 0);
const unit = (a: number[]) => {
  const n = Math.max(Math.hypot(...a), 1e-12);
  return a.map((v) => v / n);
};

function oracle(b: Batch, alpha = 40): number {
  const t2 = Math.tan((alpha * Math.PI) / 180) ** 2;
  const costs: number[] = [];
  b.rows.forEach((r, a) => {
    const { pos, neg } = partners(b, a);
    for (const p of pos) {
      const xa = unit(r), xp = unit(b.rows[p]);
      const f = neg.map((n) =>
        4 * t2 * dotOf(xa.map((v, k) => v + xp[k]), b.rows[n]) - 2 * (1 + t2) * dotOf(xa, xp)
      );
      costs.push(neg.length === 0 ? 0 : logSumExp(f, true));
    }
  });
  return costs.length === 0 ? 0 : costs.reduce((s, c) => s + c, 0) / costs.length;
}

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
