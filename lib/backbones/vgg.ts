import { activation } from "../branches/activation.ts";
import { batchNorm } from "../branches/batch_norm.ts";
import { conv2d } from "../branches/conv2d.ts";
import { dense } from "../branches/dense.ts";
import { empty } from "../branches/empty.ts";
import { flatten } from "../branches/flatten.ts";
import { maxPool2d } from "../branches/max_pool_2d.ts";
import { spatialDropout2d } from "../branches/spatial_dropout_2d.ts";
import {
  fraction,
  noEmbeddingSize,
  positiveInteger,
  positiveIntegers,
} from "../branches/_validate.ts";
import type { Branch } from "../types.ts";

/**
 * Options of {@linkcode vgg}.
 *
 * @example
 * ```ts
 * import { vgg, type VggOptions } from "./vgg.ts";
 * // two blocks of filters 8 and 16 (blocks: 2 says the same), then a 64-unit feature block
 * const options: VggOptions = { blocks: 2, dense: 64, dropout: 0.1 };
 * const spec = vgg(options);
 * const dense = spec.stages.flatMap((s) => s.kind === "dense" ? [s.units] : []);
 * const convs = spec.stages.flatMap((s) => s.kind === "conv2d" ? [s.filters] : []);
 * const rates = spec.stages.flatMap((s) => s.kind === "spatialDropout2d" ? [s.rate] : []);
 * if (dense.join() !== "64" || convs.join() !== "8,8,16,16" || rates.join() !== "0.1,0.1") {
 *   throw new Error(`${dense} ${convs} ${rates}`);
 * }
 * ```
 */
export interface VggOptions {
  /** Filters of each block (default `[8, 16, 32]`); its length is the number of blocks. */
  readonly filters?: readonly number[];
  /** Number of blocks when `filters` is not given: filters 8, 16, 32, … (default 3, at most 16). */
  readonly blocks?: number;
  /** Width of the dense feature block the backbone ends with (default 256). */
  readonly dense?: number;
  /** Spatial dropout rate of each block (default 0.2). */
  readonly dropout?: number;
}

/** More blocks than this would halve any image to nothing (and filters 8·2^i grow past sense). */
const MAX_BLOCKS = 16;

/**
 * The classic VGG-style backbone of the lecture's Siamese examples. Each block is
 * [3×3 conv "same", 3×3 conv "same", batch-norm, ReLU, spatial dropout, 2×2 max-pool], with
 * no pool after the last block; then the feature block: flatten, dense 256, batch-norm, ReLU.
 * It ends at those 256 features; the embedding is the next stage, `branches.embedding(size)`.
 * The lecture's network is `pipe(vgg(), embedding(32))`: on 28×28×1 inputs 429,176 parameters
 * (428,552 trainable, 624 batch-norm statistics), of which the backbone holds 420,952.
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { embedding } from "../branches/embedding.ts";
 * import { vgg } from "./vgg.ts";
 * const spec = vgg({ filters: [4, 8] });
 * // two 3 × 3 convolutions per block, a 2 × 2 pool between blocks, the ReLU of the features last
 * const convs = spec.stages.flatMap((s) => s.kind === "conv2d" ? [s.filters] : []);
 * if (convs.join() !== "4,4,8,8") throw new Error(`convolutions ${convs}`);
 * if (spec.stages.filter((s) => s.kind === "maxPool2d").length !== 1) throw new Error("pools");
 * const dense = spec.stages.flatMap((s) => s.kind === "dense" ? [s.units] : []);
 * if (dense.join() !== "256" || spec.stages.at(-1)?.kind !== "activation") throw new Error("features");
 * // the embedding is a stage of its own
 * const last = pipe(spec, embedding(16)).stages.at(-1);
 * if (last?.kind !== "dense" || last.role !== "embedding" || last.units !== 16) throw new Error("embedding");
 * ```
 */
export function vgg(options: VggOptions = {}): Branch {
  noEmbeddingSize("vgg backbone", options);
  const blocks = positiveInteger("vgg backbone", "blocks", options.blocks ?? 3);
  if (blocks > MAX_BLOCKS) {
    throw new Error(
      `Cannot create vgg backbone as blocks must be at most ${MAX_BLOCKS} (each block after the first halves the image): current value is ${blocks}`,
    );
  }
  const filters = options.filters === undefined
    ? Array.from({ length: blocks }, (_, i) => 8 * 2 ** i)
    : positiveIntegers("vgg backbone", "filters", options.filters);
  if (filters.length === 0 || filters.length > MAX_BLOCKS) {
    throw new Error(
      `Cannot create vgg backbone as filters must hold 1 to ${MAX_BLOCKS} blocks: current value is [${filters}]`,
    );
  }
  const rate = fraction("vgg backbone", "dropout", options.dropout ?? 0.2);
  const width = positiveInteger("vgg backbone", "dense", options.dense ?? 256);
  let branch = empty;
  filters.forEach((f, i) => {
    branch = conv2d(f)(branch);
    branch = conv2d(f)(branch);
    branch = batchNorm()(branch);
    branch = activation("relu")(branch);
    branch = spatialDropout2d(rate)(branch);
    if (i < filters.length - 1) branch = maxPool2d(2)(branch);
  });
  branch = flatten()(branch);
  branch = dense(width)(branch);
  branch = batchNorm()(branch);
  return activation("relu")(branch);
}
