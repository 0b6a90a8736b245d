import type { Distance } from "../types.ts";
import { type LoadedModel, loadModel } from "../train/load_model.ts";
import type { ModelMetadata } from "../train/save_model.ts";
import { checkDistance } from "../distances/host.ts";
import type { Embedder } from "./embedder.ts";
import { fingerprintOf, normalisationOf } from "./_network.ts";

/**
 * Options of {@linkcode loadEmbedder}.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import type { LoadEmbedderOptions } from "./load_embedder.ts";
 * import { distance } from "../distances/mod.ts";
 * const chebyshev = distance({ name: "chebyshev", rows: (a, b) => tf.max(tf.abs(tf.sub(a, b)), 1) });
 * const options: LoadEmbedderOptions = { distance: chebyshev };
 * if (options.distance?.name !== "chebyshev") throw new Error("name");
 * ```
 */
export interface LoadEmbedderOptions {
  /**
   * The distance record, when metadata.json names a user-defined one (built-in ones are
   * restored from their name) or, for a model saved without a distance, the one it was
   * trained with. Its name must be the one recorded.
   */
  readonly distance?: Distance;
}

/**
 * An {@linkcode Embedder} loaded from disk: it owns its network (and head), so dispose it.
 *
 * @example
 * ```ts
 * import type { LoadedEmbedder } from "./load_embedder.ts";
 * const done = (e: LoadedEmbedder) => e.dispose();
 * if (typeof done !== "function") throw new Error("disposable");
 * ```
 */
export interface LoadedEmbedder extends Embedder {
  /** The metadata.json it was loaded with. */
  readonly metadata: ModelMetadata;
  /** Frees the network's and the head's weights. */
  dispose(): void;
}

const text = (value: unknown) => (typeof value === "string" ? value : null);

/**
 * Loads an {@linkcode Embedder} saved by `saveEmbedder` (or a model saved by
 * `train.saveModel`, also before distances were records) from `dir`, with all of
 * `train.loadModel`'s checks (paths stay inside the folder, sizes, finite weights, shapes
 * against metadata.json), and gives back the distance it was trained with as a record —
 * never silently another:
 *
 * - a built-in distance's name comes back as `distances.<name>`;
 * - a user-defined distance must be passed as `options.distance` (with the recorded name);
 * - a model saved without a distance needs `options.distance`.
 *
 * The weights' SHA-256 fingerprint is computed on loading and, when metadata.json records
 * one (saveEmbedder does), must match it: weights changed on disk are an error naming the
 * folder.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { loadEmbedder } from "./load_embedder.ts";
 * import { saveModel } from "../train/save_model.ts";
 * import { euclidean } from "../distances/mod.ts";
 * await tf.setBackend("cpu");
 * // a model saved by saveModel with a distance name only, as before distances were records
 * const network = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2 })] });
 * const dir = `${await Deno.makeTempDir()}/model`;
 * await saveModel({ embedder: network }, dir, { distance: "euclidean", normalisation: "none", seed: 3 });
 * const e = await loadEmbedder(dir);
 * if (e.distance !== euclidean || e.provenance.seed !== 3 || e.embeddingSize !== 2) throw new Error("loaded");
 * e.dispose();
 * // without a recorded distance, say which one it was trained with
 * await saveModel({ embedder: network }, dir, { overwrite: true });
 * let message = "";
 * await loadEmbedder(dir).catch((error) => message = error.message);
 * if (!message.includes("records no distance")) throw new Error(message);
 * (await loadEmbedder(dir, { distance: euclidean })).dispose();
 * network.dispose();
 * ```
 */
export async function loadEmbedder(
  dir: string,
  options: LoadEmbedderOptions = {},
): Promise<LoadedEmbedder> {
  if (options === null || typeof options !== "object") {
    throw new TypeError(`Cannot load embedder as options must be an object: got ${options}`);
  }
  const given = options.distance === undefined
    ? undefined
    : checkDistance("load embedder", "options.distance", options.distance);
  const loaded: LoadedModel = await loadModel(dir, {
    ...(given === undefined ? {} : { distances: [given] }),
  });
  try {
    const { metadata } = loaded;
    const where = `${dir}/metadata.json`;
    let distance: Distance;
    if (metadata.distance === null) {
      if (given === undefined) {
        throw new Error(
          `Cannot load embedder as ${where} records no distance: pass { distance } with the one it was trained with (e.g. distances.euclidean)`,
        );
      }
      distance = given;
    } else {
      if (given !== undefined && given.name !== metadata.distance) {
        throw new Error(
          `Cannot load embedder as ${where} records distance "${metadata.distance}" but options.distance is "${given.name}": pass the distance it was trained with`,
        );
      }
      if (loaded.distance === undefined) {
        throw new Error(
          `Cannot load embedder as ${where} records distance "${metadata.distance}", which is not a built-in one: pass { distance } with your record of that name`,
        );
      }
      distance = loaded.distance;
    }
    const fingerprint = fingerprintOf(loaded.embedder);
    const saved = metadata.extra.fingerprint;
    if (saved !== undefined && saved !== fingerprint) {
      throw new Error(
        `Cannot load embedder from ${dir} as its weights' fingerprint ${
          fingerprint.slice(0, 12)
        }… is not the ${
          String(saved).slice(0, 12)
        }… recorded in ${where}: weights.bin changed after it was saved`,
      );
    }
    const steps = metadata.extra.steps;
    return {
      network: loaded.embedder,
      inputShape: [...metadata.inputShape],
      embeddingSize: metadata.embeddingSize,
      normalisation: metadata.normalisation ?? normalisationOf(loaded.embedder),
      distance,
      fingerprint,
      provenance: {
        kind: metadata.kind,
        loss: text(metadata.extra.loss),
        seed: metadata.seed,
        steps: typeof steps === "number" && Number.isFinite(steps) ? steps : null,
        spec: metadata.spec,
      },
      ...(metadata.threshold === null ? {} : { threshold: metadata.threshold }),
      ...(metadata.classNames === null ? {} : { classNames: metadata.classNames }),
      ...(loaded.head === undefined ? {} : { head: loaded.head }),
      metadata,
      dispose: () => loaded.dispose(),
    };
  } catch (error) {
    loaded.dispose();
    throw error;
  }
}
