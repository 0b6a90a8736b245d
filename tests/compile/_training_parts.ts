// What tests/compile/global_state_test.ts imports of likeness, after its baseline (a dynamic
// import of lib/branches/mod.ts itself would not resolve: it exports `then`).
export { pipe } from "../../lib/pipe.ts";
export { nativeStatus, useBackend } from "../../lib/backend/mod.ts";
export {
  activation,
  batchNorm,
  conv2d,
  dense,
  dropout,
  empty,
  flatten,
  l2Normalize,
  spatialDropout2d,
  triplet,
} from "../../lib/branches/mod.ts";
export { tripletMargin } from "../../lib/losses/mod.ts";
export { compile } from "../../lib/compile/mod.ts";
export { loadModel, saveModel } from "../../lib/train/mod.ts";
