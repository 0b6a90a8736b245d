/**
 * Enrolment and search: a gallery of enrolled identities for verification ("is this the
 * person they claim to be?"), identification (a ranked list of the closest identities) and
 * content-based retrieval. New identities are enrolled from their embeddings, without
 * retraining. Stores: `memoryStore`, and `sqliteStore` (persistent, transactional, bound to
 * the fingerprint of the model that made its embeddings). A store is made for one distance
 * (`distances.euclidean` by default; pass the one the model was trained with): `openGallery`
 * searches with it, and a SQLite gallery records its name and refuses another.
 *
 * @example
 * ```ts
 * import { calibrateThreshold, memoryStore, openGallery } from "./mod.ts";
 * import { cosine } from "../distances/mod.ts";
 * const { threshold } = calibrateThreshold([0.1, 0.2], [0.9, 1.2], { far: 0 });
 * const gallery = openGallery(memoryStore({ dim: 2, fingerprint: "model" }), { threshold });
 * gallery.enrol("cat", [[1, 0], [0.9, 0.1]]);
 * gallery.enrol("dog", [[0, 1]]);
 * if (gallery.identify([0.95, 0], 1)[0].identity !== "cat") throw new Error("identify");
 * if (!gallery.verify("dog", [0.1, 0.9]).accepted) throw new Error("verify");
 * // a cosine gallery: (10, 1) points almost exactly cat's way
 * const byAngle = openGallery(memoryStore({ dim: 2, fingerprint: "model", distance: cosine }));
 * byAngle.enrol("cat", [[1, 0]]);
 * byAngle.enrol("dog", [[0, 1]]);
 * const [best] = byAngle.identify([10, 1], 1);
 * if (best.identity !== "cat" || Math.abs(best.distance - (1 - 10 / Math.hypot(10, 1))) > 1e-12) throw new Error("cosine");
 * ```
 *
 * @module
 */
export type { Tensor, Tensor2D } from "../types.ts";
export * from "./types.ts";
export * from "./memory_store.ts";
export * from "./sqlite_store.ts";
export * from "./postgres_store.ts";
export * from "./open_gallery.ts";
export * from "./calibrate_threshold.ts";
export * from "./fingerprint_weights.ts";
export * from "./embed_inputs.ts";
export * from "./ann_index.ts";
