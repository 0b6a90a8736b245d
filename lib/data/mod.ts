/**
 * Datasets: the only IO of likeness. An IDX reader, Fashion-MNIST (found locally, in the
 * Debian package, downloaded into a cache, or the bundled 1,000-image sample), in-memory
 * dataset helpers (scaling, subsets, stratified and class-disjoint splits), and the lazy
 * conversion of index batches into tensors.
 *
 * @example
 * ```ts
 * import { classDisjointSplit, fashionMnist } from "./mod.ts";
 * const sample = await fashionMnist({ split: "sample" });
 * const { seen, unseen } = classDisjointSplit(sample, { seen: [0, 1, 2, 3, 4, 5, 6] });
 * if (seen.size !== 700 || unseen.size !== 300) throw new Error("100 images per class");
 * ```
 *
 * @module
 */
export type { Dataset, IndexTuple, LabelledIndex, PairIndex, TripletIndex } from "../types.ts";
export type { Labelled, Pair, Tensor, Tensor1D, Tensor2D, Triplet } from "../types.ts";
export {
  type IdxArray,
  type IdxDtype,
  parseIdx,
  type ParseIdxOptions,
  type ReadIdxOptions,
} from "./parse_idx.ts";
export { DataFileError, type DataFileErrorReason, DataNotFoundError } from "./errors.ts";
export { readIdx } from "./read_idx.ts";
export { fashionMnistClassNames } from "./class_names.ts";
export {
  type DownloadProgress,
  fashionMnist,
  type FashionMnistOptions,
  type FashionMnistSplit,
} from "./fashion_mnist.ts";
export {
  fashionMnistOrSample,
  type FashionMnistOrSampleOptions,
  type TrainTestData,
} from "./fashion_mnist_or_sample.ts";
export { scaleToUnit } from "./scale_to_unit.ts";
export { type DatasetParts, makeDataset } from "./make_dataset.ts";
export { subset } from "./subset.ts";
export { filterClasses } from "./filter_classes.ts";
export {
  stratifiedSplit,
  type StratifiedSplitOptions,
  type TrainValidation,
} from "./stratified_split.ts";
export {
  classDisjointSplit,
  type ClassDisjointSplitOptions,
  type SeenUnseen,
} from "./class_disjoint_split.ts";
export { type TensorsOf, toTensors } from "./to_tensors.ts";
export { disposeTensors } from "./dispose_tensors.ts";
export { tensorBatches } from "./tensor_batches.ts";
export {
  type ImageDataset,
  imageDataset,
  type ImageDatasetOptions,
  type ImageList,
  type ImageSourceOptions,
  isImageDataset,
} from "./image_dataset.ts";
export { imageFolder } from "./image_folder.ts";
export { imageManifest, type ImageManifestOptions } from "./image_manifest.ts";
export { imageBatches, type ImageBatchesOptions } from "./image_batches.ts";
export { resizeImage } from "./resize_image.ts";
export * as augment from "./augment/mod.ts";
