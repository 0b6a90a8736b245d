import { pipe } from "../pipe.ts";
import { activation } from "../branches/activation.ts";
import { batchNorm } from "../branches/batch_norm.ts";
import { conv2d } from "../branches/conv2d.ts";
import { empty } from "../branches/empty.ts";
import { globalAveragePool2d } from "../branches/global_average_pool_2d.ts";
import { maxPool2d } from "../branches/max_pool_2d.ts";
import { residual } from "../branches/residual.ts";
import { noEmbeddingSize, positiveInteger, positiveIntegers } from "../branches/_validate.ts";
import type { Branch } from "../types.ts";

/**
 * Options of {@linkcode resnet}.
 *
 * @example
 * ```ts
 * import { resnet, type ResnetOptions } from "./resnet.ts";
 * const options: ResnetOptions = { filters: [4, 8], blocksPerStage: 2 };
 * const spec = resnet(options);
 * // 2 stages × 2 blocks; pooled features last
 * if (spec.stages.filter((s) => s.kind === "residual").length !== 4) throw new Error("blocks");
 * if (spec.stages.at(-1)?.kind !== "globalAveragePool2d") throw new Error("features");
 * ```
 */
export interface ResnetOptions {
  /** Channels of each stage (default `[16, 32, 64]`); stages after the first halve the size. */
  readonly filters?: readonly number[];
  /** Residual blocks per stage (default 1). */
  readonly blocksPerStage?: number;
  /**
   * How much the stem shrinks the image before the residual stages: 1 (default; a 3×3 conv,
   * for small images such as 28 × 28), 2 (a stride-2 conv) or 4 (a stride-2 conv and a 2×2
   * max-pool, as ImageNet ResNets do; for 128–224 px photos, 16× less work per block than 1).
   */
  readonly stemStride?: 1 | 2 | 4;
}

const block = (filters: number, strides: number, project: boolean) => (b: Branch): Branch => {
  const main = pipe(
    empty,
    conv2d(filters, { strides, useBias: false }),
    batchNorm(),
    activation("relu"),
    conv2d(filters, { useBias: false }),
    batchNorm(),
  );
  const shortcut = project
    ? pipe(empty, conv2d(filters, { kernelSize: 1, strides, useBias: false }), batchNorm())
    : undefined;
  return pipe(b, residual(main, { shortcut }), activation("relu"));
};

/** Stages after the first halve the image: more than this leaves nothing of any image. */
const MAX_STAGES = 16;
/** A bound on the spec's size (a deeper network is no longer "small"). */
const MAX_BLOCKS_PER_STAGE = 64;

/**
 * A small residual network: a 3×3 stem, then stages of basic residual blocks (two 3×3 convs
 * with batch-norm; a 1×1 projection shortcut when the shape changes) and global average
 * pooling; it ends at the pooled features (the last stage's channels). Append
 * `branches.embedding(size)` for the embedding. Any channel count and image size works
 * (grey 28 × 28 to RGB 224 × 224); for large photos shrink early with `stemStride: 4`.
 *
 * @example
 * ```ts
 * import { pipe } from "../pipe.ts";
 * import { embedding } from "../branches/embedding.ts";
 * import { resnet } from "./resnet.ts";
 * const spec = pipe(resnet({ filters: [8, 16] }), embedding(12));
 * // one residual block per stage (filters entry), pooled, then the embedding layer
 * if (spec.stages.filter((s) => s.kind === "residual").length !== 2) throw new Error("blocks");
 * const last = spec.stages.at(-1);
 * if (last?.kind !== "dense" || last.role !== "embedding" || last.units !== 12) throw new Error("embedding");
 * ```
 */
export function resnet(options: ResnetOptions = {}): Branch {
  noEmbeddingSize("resnet backbone", options);
  const filters = positiveIntegers("resnet backbone", "filters", options.filters ?? [16, 32, 64]);
  if (filters.length === 0 || filters.length > MAX_STAGES) {
    throw new Error(
      `Cannot create resnet backbone as filters must hold 1 to ${MAX_STAGES} stages: current value is [${filters}]`,
    );
  }
  const perStage = positiveInteger(
    "resnet backbone",
    "blocksPerStage",
    options.blocksPerStage ?? 1,
  );
  if (perStage > MAX_BLOCKS_PER_STAGE) {
    throw new Error(
      `Cannot create resnet backbone as blocksPerStage must be at most ${MAX_BLOCKS_PER_STAGE}: current value is ${perStage}`,
    );
  }
  const stem = options.stemStride ?? 1;
  if (stem !== 1 && stem !== 2 && stem !== 4) {
    throw new Error(
      `Cannot create resnet backbone as stemStride must be 1, 2 or 4: current value is ${
        String(stem)
      }`,
    );
  }
  let branch = pipe(
    empty,
    conv2d(filters[0], { useBias: false, strides: stem === 1 ? 1 : 2 }),
    batchNorm(),
    activation("relu"),
  );
  if (stem === 4) branch = maxPool2d(2)(branch);
  filters.forEach((f, stage) => {
    for (let i = 0; i < perStage; i++) {
      const strides = stage > 0 && i === 0 ? 2 : 1;
      branch = block(f, strides, strides !== 1 || (i === 0 && stage > 0))(branch);
    }
  });
  return globalAveragePool2d()(branch);
}
