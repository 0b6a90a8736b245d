/**
 * Adam's running powers β₁ᵗ and β₂ᵗ (`accBeta1`, `accBeta2`): tfjs keeps them as products
 * updated every step but does not save them with the optimiser's weights; its `setWeights`
 * recomputes them as `pow(β, t + 1)`, whose last bits differ from the products, so a resumed
 * run would drift from an uninterrupted one. `saveCheckpoint` records them in state.json and
 * `loadCheckpoint` puts them back after the optimisers' weights.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import type { Optimizer } from "../types.ts";
import { lossStateOf } from "./_state.ts";
import type { TrainableProgram } from "./trainable_program.ts";

const KEYS = ["accBeta1", "accBeta2"] as const;

const optimizersOf = (program: TrainableProgram<unknown>): (Optimizer | undefined)[] => [
  program.optimizer,
  ...(lossStateOf(program)?.parameters.map((p) => p.optimizer) ?? []),
];

/** Per optimiser (the program's, then each loss parameter's), its running powers or null. */
export type AdamPowers = ({ accBeta1: number; accBeta2: number } | null)[];

const powersOf = (optimizer: Optimizer | undefined): tf.Variable[] | undefined => {
  if (!optimizer) return undefined;
  const found = KEYS.map((k) => (optimizer as unknown as Record<string, unknown>)[k]);
  return found.every((v) => v instanceof tf.Variable && v.size === 1 && !v.isDisposed)
    ? found as tf.Variable[]
    : undefined;
};

/** Reads the running powers of every Adam optimiser of the program (one read). */
export async function readAdamPowers(program: TrainableProgram<unknown>): Promise<AdamPowers> {
  const found = optimizersOf(program).map(powersOf);
  const flat = found.flatMap((f) => f ?? []);
  if (flat.length === 0) return found.map(() => null);
  const read = tf.tidy(() => tf.concat(flat.map((v) => tf.reshape(v, [1]))));
  let values: Float32Array;
  try {
    values = await read.data() as Float32Array;
  } finally {
    read.dispose();
  }
  let i = 0;
  return found.map((f) => {
    if (!f) return null;
    const out = { accBeta1: values[i], accBeta2: values[i + 1] };
    i += 2;
    return out;
  });
}

/**
 * Checks running powers read from a file: an array with one entry per optimiser of the program,
 * each null or two numbers in (0, 1]; returns the message of what is wrong, or undefined.
 */
export function checkAdamPowers(
  program: TrainableProgram<unknown>,
  saved: unknown,
): string | undefined {
  const count = optimizersOf(program).length;
  if (!Array.isArray(saved) || saved.length !== count) {
    return `adamPowers must list ${count} optimiser(s): current value is ${
      JSON.stringify(saved)?.slice(0, 200)
    }`;
  }
  for (const [i, s] of saved.entries()) {
    if (s === null) continue;
    const values = [s?.accBeta1, s?.accBeta2];
    if (!values.every((v) => typeof v === "number" && v > 0 && v <= 1)) {
      return `adamPowers[${i}] must be null or { accBeta1, accBeta2 } in (0, 1]: current value is ${
        JSON.stringify(s)?.slice(0, 200)
      }`;
    }
  }
  return undefined;
}

/** Puts back the running powers saved by {@linkcode readAdamPowers}; ignores what does not fit. */
export function writeAdamPowers(program: TrainableProgram<unknown>, saved: unknown): void {
  if (!Array.isArray(saved)) return;
  optimizersOf(program).forEach((optimizer, i) => {
    const vars = powersOf(optimizer);
    const s = saved[i] as { accBeta1?: unknown; accBeta2?: unknown } | null | undefined;
    if (!vars || !s || typeof s !== "object") return;
    const values = [s.accBeta1, s.accBeta2];
    if (!values.every((v) => typeof v === "number" && Number.isFinite(v))) return;
    tf.tidy(() => vars.forEach((v, j) => v.assign(tf.scalar(values[j] as number))));
  });
}

/** Copy-free clones of every Adam optimiser's running powers (for a rollback snapshot). */
export function cloneAdamPowers(program: TrainableProgram<unknown>): (tf.Tensor[] | null)[] {
  return optimizersOf(program).map((o) => powersOf(o)?.map((v) => tf.clone(v)) ?? null);
}

/** Puts back clones from {@linkcode cloneAdamPowers} (they stay valid; dispose them apart). */
export function assignAdamPowers(
  program: TrainableProgram<unknown>,
  clones: readonly (readonly tf.Tensor[] | null)[],
): void {
  optimizersOf(program).forEach((o, i) => {
    const vars = powersOf(o);
    const saved = clones[i];
    if (vars && saved) vars.forEach((v, j) => v.assign(saved[j]));
  });
}
