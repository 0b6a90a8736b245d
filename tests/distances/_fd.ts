import * as tf from "@tensorflow/tfjs";

/**
 * Five-point central finite difference, `(−f(x+2h) + 8f(x+h) − 8f(x−h) + f(x−2h)) / 12h`:
 * truncation error O(h⁴), so `h` can be large enough that float32 rounding of `f` stays
 * small (≈ 1.5·ε·|f|/h).
 */
export function finiteDifference5(
  f: (x: tf.Tensor) => tf.Scalar,
  values: number[],
  shape: number[],
  h = 1e-2,
): number[] {
  return values.map((_, i) => {
    const at = (delta: number) =>
      tf.tidy(() => {
        const v = values.slice();
        v[i] += delta;
        return f(tf.tensor(v, shape)).dataSync()[0];
      });
    return (-at(2 * h) + 8 * at(h) - 8 * at(-h) + at(-2 * h)) / (12 * h);
  });
}

/**
 * Asserts a gradient matches its finite-difference estimate entry by entry within
 * `rtol·|expected| + atol`, where `atol` is relative to the gradient's largest entry (so a
 * near-zero entry is judged against the scale of the whole gradient, not against 1).
 * Returns the worst ratio of error to allowance seen (≤ 1 when it passes).
 */
export function assertGradientClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  { rtol = 5e-3, atol = 2e-4 }: { rtol?: number; atol?: number } = {},
): number {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  }
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    const allowed = rtol * Math.abs(expected[i]) + atol * Math.max(scale, 1e-3);
    if (!(err <= allowed)) {
      throw new Error(
        `gradient entry ${i}: ${actual[i]} vs finite difference ${
          expected[i]
        } (|Δ| = ${err}, allowed ${allowed})`,
      );
    }
    worst = Math.max(worst, err / allowed);
  }
  return worst;
}

/** The analytic gradient of `f` at `values`, from tfjs. */
export function analytic(f: (x: tf.Tensor) => tf.Scalar, values: number[], shape: number[]) {
  return tf.tidy(() => Array.from(tf.grad(f)(tf.tensor(values, shape)).dataSync()));
}

/** Asserts two arrays agree within `tolerance` (absolute plus relative). */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance = 1e-3,
) {
  if (actual.length !== expected.length) {
    throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  }
  for (let i = 0; i < actual.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= tolerance * (1 + Math.abs(expected[i])))) {
      throw new Error(
        `entry ${i}: ${actual[i]} vs ${expected[i]} (|Δ| = ${err})\nactual ${
          Array.from(actual)
        }\nexpected ${Array.from(expected)}`,
      );
    }
  }
}
