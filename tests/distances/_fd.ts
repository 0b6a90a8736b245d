import * as tf from "@tensorflow/tfjs";

/**
 * Central finite-difference gradient of a scalar function of a float64 array, evaluated with
 * float32 tensors: `(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h`.
 */
export function finiteDifference(
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
    return (at(h) - at(-h)) / (2 * h);
  });
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
