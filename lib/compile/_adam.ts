import * as tf from "@tensorflow/tfjs";
import type { Tensor } from "../types.ts";
import { fusedAdamUpdate, hasFusedAdam } from "../backend/mod.ts";

/** The AdamOptimizer fields this class reads (not public in tfjs's types). */
interface AdamFields {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}

type Gradients = Parameters<tf.AdamOptimizer["applyGradients"]>[0];

/**
 * tfjs's Adam with one fused kernel per weight (instead of ~12) on backends that have it
 * (`wasm`, `native`); elsewhere exactly `tf.train.adam`. Same state, same weights for
 * checkpoints, same class name. β₁ᵗ and β₂ᵗ come from the iteration count at every step, so a
 * run restored from a checkpoint continues bit for bit.
 */
export class Adam extends tf.AdamOptimizer {
  /** Updates each variable from its gradient. */
  override applyGradients(variableGradients: Gradients): void {
    const self = this as unknown as AdamFields;
    if (!hasFusedAdam()) {
      // tfjs keeps β^t as a running float32 product, which a restored optimiser recomputes
      // with pow: set it from the iteration count, so a resumed run matches bit for bit.
      const t = this.iterations + 1;
      tf.tidy(() => {
        self.accBeta1.assign(tf.scalar(self.beta1 ** t));
        self.accBeta2.assign(tf.scalar(self.beta2 ** t));
      });
      return super.applyGradients(variableGradients);
    }
    const list = Array.isArray(variableGradients)
      ? variableGradients.map((v) => [v.name, v.tensor] as const)
      : Object.entries(variableGradients);
    // tfjs keeps β^(t) in accBeta variables; with t updates done, this one is update t + 1.
    const step = this.iterations + 1;
    const attrs = {
      learningRate: self.learningRate,
      beta1: self.beta1,
      beta2: self.beta2,
      epsilon: self.epsilon,
      step,
    };
    tf.tidy(() => {
      list.forEach(([name, gradient], i) => {
        const value = tf.engine().registeredVariables[name];
        const moment = (suffix: string) => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        });
        self.accumulatedFirstMoment[i] ??= moment("m");
        self.accumulatedSecondMoment[i] ??= moment("v");
        if (gradient == null) return;
        const m = self.accumulatedFirstMoment[i]!.variable;
        const v = self.accumulatedSecondMoment[i]!.variable;
        const [newValue, newM, newV] = fusedAdamUpdate(value, m, v, gradient, attrs) as Tensor[];
        m.assign(newM);
        v.assign(newV);
        value.assign(newValue);
      });
      self.accBeta1.assign(tf.scalar(self.beta1 ** (step + 1)));
      self.accBeta2.assign(tf.scalar(self.beta2 ** (step + 1)));
    });
    self.incrementIterations();
  }
}
