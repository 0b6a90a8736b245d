/**
 * Enrolment and search: a gallery of enrolled identities for verification ("is this the
 * person they claim to be?"), identification (a ranked list of the closest identities) and
 * content-based retrieval. New identities are enrolled from their embeddings, without
 * retraining. Stores: `memoryStore`, and `sqliteStore` (persistent, transactional, bound to
 * the fingerprint of the model that made its embeddings).
 *
 * @example
 * ```ts
 * import { calibrateThreshold, memoryStore, openGallery } from "./mod.ts";
 * const { threshold } = calibrateThreshold([0.1, 0.2], [0.9, 1.2], { far: 0 });
 * const gallery = openGallery(memoryStore({ dim: 2, fingerprint: "model" }), { threshold });
 * gallery.enrol("cat", [[1, 0], [0.9, 0.1]]);
 * gallery.enrol("dog", [[0, 1]]);
 * if (gallery.identify([0.95, 0], 1)[0].identity !== "cat") throw new Error("identify");
 * if (!gallery.verify("dog", [0.1, 0.9]).accepted) throw new Error("verify");
 * ```
 *
 * @module
 */
export type { Tensor, Tensor2D } from "../types.ts";
export * from "./types.ts";
export * from "./memory_store.ts";
export * from "./sqlite_store.ts";
export * from "./open_gallery.ts";
export * from "./calibrate_threshold.ts";
export * from "./fingerprint_weights.ts";
export * from "./embed_inputs.ts";
