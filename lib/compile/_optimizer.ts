import * as tf from "@tensorflow/tfjs";
import type { Optimizer } from "../types.ts";
import { Adam } from "./_adam.ts";

/** Optimizers `compile` can create by name. */
export type OptimizerName = "adam" | "sgd" | "rmsprop" | "adagrad";

/** Creates the named optimizer, or checks a given one. */
export function makeOptimizer(
  optimizer: OptimizerName | Optimizer,
  learningRate: number,
): Optimizer {
  if (!Number.isFinite(learningRate) || learningRate <= 0) {
    throw new Error(
      `Cannot compile as learningRate must be a finite number > 0: current value is ${learningRate}`,
    );
  }
  if (typeof optimizer === "object" && optimizer !== null) return optimizer;
  switch (optimizer) {
    case "adam":
      // tf.train.adam's defaults; one fused kernel per weight on wasm and native.
      return new Adam(learningRate, 0.9, 0.999);
    case "sgd":
      return tf.train.sgd(learningRate);
    case "rmsprop":
      return tf.train.rmsprop(learningRate);
    case "adagrad":
      return tf.train.adagrad(learningRate);
    default:
      throw new Error(
        `Cannot compile as optimizer must be "adam", "sgd", "rmsprop", "adagrad" or a tfjs optimizer: current value is ${
          String(optimizer)
        }`,
      );
  }
}

/** Sets the learning rate of a tfjs optimizer. */
export function setRate(optimizer: Optimizer, learningRate: number): void {
  if (!Number.isFinite(learningRate) || learningRate <= 0) {
    throw new Error(
      `Cannot set learning rate as learningRate must be a finite number > 0: current value is ${learningRate}`,
    );
  }
  const o = optimizer as unknown as {
    setLearningRate?: (lr: number) => void;
    learningRate?: number;
  };
  if (typeof o.setLearningRate === "function") o.setLearningRate(learningRate);
  else if (typeof o.learningRate === "number") o.learningRate = learningRate;
  else {
    throw new Error(
      `Cannot set learning rate as optimizer has no learning rate: current optimizer is ${optimizer.getClassName()}`,
    );
  }
}
