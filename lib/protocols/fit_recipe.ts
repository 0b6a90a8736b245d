import { compile } from "../compile/compile.ts";
import { tensorBatches } from "../data/tensor_batches.ts";
import { checkDistance } from "../distances/host.ts";
import { embedderOf } from "../embedder/embedder.ts";
import { repeat } from "../samplers/repeat.ts";
import { seeded } from "../samplers/seeded.ts";
import { fitToEnd } from "../train/fit_to_end.ts";
import type { FitOptions } from "../train/fit.ts";
import type { Dataset, Distance, IndexTuple, Loss, LossInput, Model, Sampler } from "../types.ts";
import type { Embedder } from "../embedder/embedder.ts";
import type { StudyConfig, StudyTrained } from "./open_world_study.ts";

/** What {@linkcode fitRecipe} makes: a study configuration whose embedder is a trained {@linkcode Embedder}. */
export interface FitRecipeConfig extends StudyConfig {
  /** Compiles, fits and returns the program's embedder for `seed`. */
  readonly train: (seed: number) => Promise<StudyTrained & { readonly embedder: Embedder }>;
}

/** A compile + fit recipe for {@linkcode fitRecipe}. */
export interface FitRecipe<I extends LossInput> {
  /** The configuration's name. */
  readonly name: string;
  /** The model value (e.g. `branches.labelled(pipe(vgg(), embedding(32)))`). */
  readonly model: Model<I>;
  /** Its loss. */
  readonly loss: Loss<I>;
  /** The training data. */
  readonly train: Dataset;
  /**
   * One epoch of index batches over `train` (e.g. `pk(train, { p: 5, k: 77 })`, or
   * `pipe(triplets(train), batch(128))`): repeated, and seeded with the run's seed.
   */
  readonly sampler: Sampler<readonly IndexTuple[]>;
  /** Optimiser steps per run (the budget). */
  readonly steps: number;
  /** Learning rate (default the optimiser's, Adam 1e-3). */
  readonly learningRate?: number;
  /** Distance to evaluate with (default the loss's own; required when it has none). */
  readonly distance?: Distance;
  /** Stops training early (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Progress display of each fit (default `fit`'s). */
  readonly progress?: FitOptions["progress"];
}

/**
 * A study configuration from a recipe: for each seed, `compile` the model and loss with that
 * seed (initial weights, dropout, learned loss parameters), `fitToEnd` for `steps` steps of
 * `pipe(sampler, repeat(), seeded(seed))`, and return the program's embedder (with the
 * loss's distance, or `distance`), its clean-up and `{ steps, finalLoss }`.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { fitRecipe } from "./fit_recipe.ts";
 * import { pipe } from "../pipe.ts";
 * import { dense, empty, flatten, l2Normalize, labelled } from "../branches/mod.ts";
 * import { supCon } from "../losses/mod.ts";
 * import { pk } from "../samplers/mod.ts";
 * await tf.setBackend("cpu");
 * const labels = Int32Array.from([0, 0, 1, 1, 2, 2]);
 * const train = { images: Float32Array.from(labels, (l) => l), labels, shape: [1, 1, 1], size: 6, classNames: ["a", "b", "c"] };
 * const config = fitRecipe({
 *   name: "supcon", model: labelled(pipe(empty, flatten(), dense(2), l2Normalize())), loss: supCon(),
 *   train, sampler: pk(train, { p: 3, k: 2 }), steps: 2, progress: "none",
 * });
 * const trained = await config.train(1);
 * if (trained.info?.steps !== 2 || trained.embedder.embeddingSize !== 2) throw new Error("recipe");
 * trained.dispose?.();
 * ```
 */
export function fitRecipe<I extends LossInput>(recipe: FitRecipe<I>): FitRecipeConfig {
  const what = "make a fit recipe";
  const r = recipe ?? ({} as FitRecipe<I>);
  if (typeof r.name !== "string" || r.name === "") {
    throw new TypeError(
      `Cannot ${what} as name must be a non-empty string: current value is ${r.name}`,
    );
  }
  if (!Number.isInteger(r.steps) || r.steps < 1) {
    throw new RangeError(
      `Cannot ${what} '${r.name}' as steps must be an integer ≥ 1: current value is ${r.steps}`,
    );
  }
  if (typeof r.sampler !== "function") {
    throw new TypeError(
      `Cannot ${what} '${r.name}' as sampler must be a sampler (rng → batches): current value is ${r.sampler}`,
    );
  }
  if (r.train === null || typeof r.train !== "object" || !Array.isArray(r.train.shape)) {
    throw new TypeError(`Cannot ${what} '${r.name}' as train must be a Dataset`);
  }
  const given = r.distance ?? r.loss?.distance;
  if (given === undefined) {
    throw new TypeError(
      `Cannot ${what} '${r.name}' as its loss '${r.loss?.name}' has no distance: pass options.distance (e.g. distances.euclidean)`,
    );
  }
  const distance = checkDistance(what, "distance", given);
  return {
    name: r.name,
    train: async (seed: number) => {
      const { model, loss } = r;
      const program = compile({
        model,
        loss,
        inputShape: r.train.shape,
        seed,
        ...(r.learningRate === undefined ? {} : { learningRate: r.learningRate }),
      });
      try {
        const stream = pipe3(r.sampler, seed);
        const history = await fitToEnd(program, tensorBatches(r.train)(stream) as never, {
          steps: r.steps,
          ...(r.signal ? { signal: r.signal } : {}),
          ...(r.progress ? { progress: r.progress } : {}),
        });
        const embedder = embedderOf(program, { model, distance, seed, history });
        const info = { steps: history.steps, finalLoss: history.loss.at(-1) ?? NaN };
        return { embedder, info, dispose: () => program.dispose() };
      } catch (error) {
        program.dispose();
        throw error;
      }
    },
  };
}

/** `pipe(sampler, repeat(), seeded(seed))` without pipe's overload inference. */
function pipe3(sampler: Sampler<readonly IndexTuple[]>, seed: number) {
  return seeded(seed)(repeat()(sampler));
}
