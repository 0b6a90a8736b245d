/**
 * Losses with learned parameters: class weights (`arcFace`, `cosFace`, `subCenterArcFace`),
 * proxies (`proxyAnchor`, `proxyNca`) and class centres (`softTriple`). Each declares its
 * parameters as specs ({@linkcode LossParameter}); `compile` creates them (seeded), trains them
 * with the program's optimiser (optionally at a multiple of its learning rate), saves them in
 * checkpoints and keeps them out of the embedder. Options and reductions are
 * pytorch-metric-learning's defaults.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { compile } from "../../compile/compile.ts";
 * import { dense, empty, labelled } from "../../branches/mod.ts";
 * import { arcFace } from "./mod.ts";
 * await tf.setBackend("cpu");
 * const program = compile({ model: labelled(dense(3)(empty)), loss: arcFace({ classes: 2, scale: 4 }), inputShape: [2], seed: 1, learningRate: 0.05 });
 * const batch = { kind: "labelled" as const, embeddings: tf.tensor2d([[1, 0], [0, 1], [1, 0.1], [0.1, 1]]), labels: tf.tensor1d([0, 1, 0, 1], "int32") };
 * const step = () => { const l = program.trainStep(batch); const v = l.dataSync()[0]; l.dispose(); return v; };
 * const losses = Array.from({ length: 20 }, step);
 * if (!(losses[19] < losses[0])) throw new Error(`${losses}`);
 * // the class weights are the program's, beside the embedder
 * if (program.lossState?.parameters[0].variable.shape.join() !== "2,3") throw new Error("classWeights");
 * program.dispose();
 * ```
 *
 * @module
 */
import type { LossParameter } from "../../types.ts";
export type { LossParameter };
export { arcFace, type ArcFaceOptions } from "./arc_face.ts";
export { cosFace, type CosFaceOptions } from "./cos_face.ts";
export { proxyAnchor, type ProxyAnchorOptions } from "./proxy_anchor.ts";
export { proxyNca, type ProxyNcaOptions } from "./proxy_nca.ts";
export { softTriple, type SoftTripleOptions } from "./soft_triple.ts";
export { subCenterArcFace, type SubCenterArcFaceOptions } from "./sub_center_arc_face.ts";
