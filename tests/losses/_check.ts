// Shared harness for the loop-oracle tests of labelled-batch losses: every batch of
// `batches()` (random and degenerate), every variant, value against the oracle and no tensor
// left behind; finite-difference gradients on the random and two-view batches.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { Labelled, Loss, Tensor, Tensor2D } from "../../lib/types.ts";
import { analytic, assertGradientClose, finiteDifference5 } from "../distances/_fd.ts";
import { type Batch, batches, labelled } from "./_oracle.ts";

export interface Variant {
  readonly name: string;
  readonly loss: Loss<Labelled>;
  readonly oracle: (b: Batch) => number;
  /** Rows fed to the loss and the oracle (default: the batch's rows). */
  readonly rows?: (b: Batch) => Batch;
}

/** `x / ‖x‖` (0 for a zero row), for losses checked on unit vectors. */
export const unitRows = (b: Batch): Batch => ({
  ...b,
  rows: b.rows.map((r) => {
    const n = Math.hypot(...r);
    return r.map((v) => (n > 0 ? Math.fround(v / n) : 0));
  }),
});

export function checkOracle(
  what: string,
  variants: readonly Variant[],
  {
    tolerance = 1e-5,
    h = 5e-3,
    fdVariants = variants.map((v) => v.name),
    exactZero = true,
    oracleFd = false,
  } = {},
): void {
  for (const [name, raw] of batches()) {
    Deno.test(`${what} matches its loop oracle: ${name}`, () => {
      for (const v of variants) {
        const b = v.rows ? v.rows(raw) : raw;
        const input = labelled(b);
        const before = tf.memory().numTensors;
        const got = tf.tidy(() => v.loss.reduce(v.loss.perItem(input)).dataSync()[0]);
        assert.equal(tf.memory().numTensors, before, `${v.name}: tensors left behind`);
        const want = v.oracle(b);
        assert.ok(Number.isFinite(got) && got >= 0, `${v.name}: ${got}`);
        assert.ok(
          Math.abs(got - want) <= tolerance * (1 + Math.abs(want)),
          `${v.name}: ${got} vs oracle ${want}`,
        );
        if (want === 0 && exactZero) {
          assert.ok(Object.is(got, 0), `${v.name}: ${got}, want exactly 0`);
        }
        tf.dispose([input.embeddings, input.labels]);
      }
    });
  }
  Deno.test(`${what}: gradient matches finite differences`, () => {
    for (const v of variants.filter((v) => fdVariants.includes(v.name))) {
      for (
        const [, raw] of batches().filter(([n]) => n.startsWith("random") || n === "two views")
      ) {
        const b = v.rows ? v.rows(raw) : raw;
        const labels = tf.tensor1d(b.labels, "int32");
        const f = (x: Tensor) =>
          v.loss.reduce(v.loss.perItem({ kind: "labelled", embeddings: x as Tensor2D, labels }));
        const values = b.rows.flat(), shape = [b.rows.length, 3];
        // oracleFd: central differences of the float64 oracle with a tiny step, for
        // piecewise-linear losses whose kinks float32 differences would straddle
        const expected = oracleFd
          ? values.map((_, i) => {
            const at = (delta: number) => {
              const moved = values.slice();
              moved[i] += delta;
              const rows = b.rows.map((_, r) => moved.slice(3 * r, 3 * r + 3));
              return v.oracle({ ...b, rows });
            };
            return (at(1e-7) - at(-1e-7)) / 2e-7;
          })
          : finiteDifference5(f, values, shape, h);
        assertGradientClose(analytic(f, values, shape), expected, { rtol: 1e-2, atol: 1e-3 });
        labels.dispose();
      }
    }
  });
}
