import type { Branch, LayersModel, Stage } from "../types.ts";

/** The `layersModel` stages of `stages`, residual blocks included, in order. */
function layersModelStages(stages: readonly Stage[]): Extract<Stage, { kind: "layersModel" }>[] {
  return stages.flatMap((s) =>
    s.kind === "layersModel"
      ? [s]
      : s.kind === "residual"
      ? [...layersModelStages(s.main), ...layersModelStages(s.shortcut)]
      : []
  );
}

/**
 * Freezes or unfreezes the pretrained models of a branch (its `fromLayersModel` stages):
 * `true` freezes every layer, `false` unfreezes every layer, a number `n` freezes the first
 * `n` layers of each model and unfreezes the rest. Programs already compiled from the branch
 * see the change at their next step (they share the model's layers): this is the freeze →
 * unfreeze schedule of transfer learning — train the new layers on a frozen backbone first,
 * then unfreeze it and go on (with `learningRateMultiplier` < 1 it trains more gently than the
 * new layers). Optimiser state is kept per weight, so unfreezing mid-run is safe. Returns the
 * branch.
 *
 * Caveat: tfjs lists a model's weights trainable first, so freezing changes the order of
 * `embedder.getWeights()`; restore a checkpoint or snapshot into a program in the same frozen
 * state it was taken in (call `setFrozen` after `loadCheckpoint`/`fit`'s resume, not before).
 *
 * @param branch A branch holding `fromLayersModel` stages (a backbone, or a pipe of one).
 * @param frozen `true`, `false`, or how many leading layers of each model to freeze.
 * @returns `branch` itself.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pipe } from "../pipe.ts";
 * import { embedding } from "../branches/embedding.ts";
 * import { fromLayersModel } from "./from_layers_model.ts";
 * import { setFrozen } from "./set_frozen.ts";
 * await tf.setBackend("cpu");
 * const net = tf.sequential({
 *   layers: [tf.layers.dense({ units: 4, inputShape: [3] }), tf.layers.dense({ units: 4 })],
 * });
 * const spec = pipe(fromLayersModel(net, { frozen: true }), embedding(2));
 * setFrozen(spec, false);
 * if (net.layers.some((l) => !l.trainable)) throw new Error("unfrozen");
 * setFrozen(spec, 1);
 * if (net.layers.map((l) => l.trainable).join() !== "false,true") throw new Error("first frozen");
 * net.dispose();
 * ```
 */
export function setFrozen(branch: Branch, frozen: boolean | number): Branch {
  if (branch === null || typeof branch !== "object" || !Array.isArray(branch.stages)) {
    throw new Error(
      `Cannot set frozen as branch must be a branch (fromLayersModel(…), pipe(…)): current value is ${
        String(branch)
      }`,
    );
  }
  const stages = layersModelStages(branch.stages);
  if (stages.length === 0) {
    throw new Error(
      `Cannot set frozen as branch must hold a fromLayersModel stage: current stages are ${
        branch.stages.map((s) => s.kind).join(", ") || "none"
      }`,
    );
  }
  const models: LayersModel[] = stages.map((s) => s.model);
  if (typeof frozen !== "boolean") {
    const most = Math.min(...models.map((m) => m.layers.length));
    if (!Number.isInteger(frozen) || frozen < 0 || frozen > most) {
      throw new Error(
        `Cannot set frozen as frozen must be a boolean or an integer in [0, ${most}]: current value is ${
          String(frozen)
        }`,
      );
    }
  }
  for (const model of models) {
    model.layers.forEach((layer, i) => {
      layer.trainable = frozen === true ? false : frozen === false ? true : i >= frozen;
    });
  }
  return branch;
}
