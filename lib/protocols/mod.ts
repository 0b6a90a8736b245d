/**
 * Evaluation protocols over embeddings: the open-set protocol (enrol classes never seen in
 * training from a few shots, identify and verify them, with a threshold calibrated on the
 * seen classes) and a repeat runner giving mean ± 95 % interval over seeds.
 *
 * @example
 * ```ts
 * import { repeatOverSeeds } from "./mod.ts";
 * const r = await repeatOverSeeds([1, 2], (seed) => ({ x: seed }));
 * if (r.metrics.x.mean !== 1.5) throw new Error("mean");
 * ```
 *
 * @module
 */
export type {
  Distance,
  DistanceMatrix,
  HostDistance,
  HostDistanceKind,
  Tensor,
  Tensor1D,
  Tensor2D,
} from "../types.ts";
export type { GalleryStore, StoreChunk, StoreEntry } from "../gallery/types.ts";
export type { RocCurve } from "../metrics/roc_curve.ts";
export * from "./pick_shots.ts";
export * from "./student_t.ts";
export * from "./open_set_evaluation.ts";
export * from "./repeat_over_seeds.ts";
export * from "./open_world_study.ts";
export * from "./fit_recipe.ts";
export * from "./evaluate_open_set.ts";
