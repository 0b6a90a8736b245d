import { type ModelMetadata, saveModel } from "../train/save_model.ts";
import type { Embedder } from "./embedder.ts";
import { fingerprintOf } from "./_network.ts";

/**
 * Options of {@linkcode saveEmbedder}.
 *
 * @example
 * ```ts
 * import type { SaveEmbedderOptions } from "./save_embedder.ts";
 * const options: SaveEmbedderOptions = { overwrite: true, threshold: 0.8, extra: { example: "triplet" } };
 * if (options.threshold !== 0.8) throw new Error("threshold");
 * ```
 */
export interface SaveEmbedderOptions {
  /**
   * Replace a likeness model already saved at the path (default `false`: refuse). Anything
   * that is not a likeness model folder is refused whatever this says (see `saveModel`).
   */
  readonly overwrite?: boolean;
  /** The verification threshold to store (default: the embedder's own, if any). */
  readonly threshold?: number;
  /** Anything else for metadata.json's `extra` (JSON). */
  readonly extra?: Record<string, unknown>;
}

/**
 * Saves an {@linkcode Embedder} into `dir` with `train.saveModel` — the network as
 * `model.json` + `weights.bin` (tfjs layers format), the loss head in `head/`, and
 * `metadata.json` with its input shape, embedding size, normalisation, the name of its
 * distance, threshold, class names, seed and spec (the model value's own stages) — and in
 * `extra` its loss, steps and weight fingerprint, which `loadEmbedder` checks. Atomic
 * (temp folder, then renames; kill -9 leaves the old model or the new one), refuses to
 * write over anything that is not a likeness model, and over one only with
 * `{ overwrite: true }`.
 *
 * Refuses an embedder whose network's weights changed after it was made (its fingerprint
 * would not describe what is saved, and galleries bound to it would accept another model):
 * make a new one with `embedderOf` after training on.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { saveEmbedder } from "./save_embedder.ts";
 * import { loadEmbedder } from "./load_embedder.ts";
 * import { embedderOf } from "./embedder.ts";
 * import { compile } from "../compile/mod.ts";
 * import { dense, empty, siamese } from "../branches/mod.ts";
 * import { contrastive } from "../losses/mod.ts";
 * import { cosine } from "../distances/mod.ts";
 * await tf.setBackend("cpu");
 * const model = siamese(dense(2)(empty));
 * const program = compile({ model, loss: contrastive(), inputShape: [3], seed: 4 });
 * const dir = `${await Deno.makeTempDir()}/model`;
 * const metadata = await saveEmbedder(embedderOf(program, { model, distance: cosine, seed: 4 }), dir, { threshold: 0.3 });
 * // the distance's name on disk, its record back on loading, and the same fingerprint
 * if (metadata.distance !== "cosine" || metadata.threshold !== 0.3) throw new Error("metadata");
 * const loaded = await loadEmbedder(dir);
 * if (loaded.distance !== cosine || loaded.fingerprint !== embedderOf(program, { distance: cosine }).fingerprint) throw new Error("loaded");
 * loaded.dispose();
 * program.dispose();
 * ```
 */
export async function saveEmbedder(
  embedder: Embedder,
  dir: string,
  options: SaveEmbedderOptions = {},
): Promise<ModelMetadata> {
  if (embedder === null || typeof embedder !== "object" || !embedder.network) {
    throw new TypeError(
      `Cannot save embedder as embedder must be an Embedder (embedderOf(program) or loadEmbedder(dir)): current value is ${
        String(embedder)
      }`,
    );
  }
  const extra = options.extra;
  if (
    extra !== undefined && (typeof extra !== "object" || extra === null || Array.isArray(extra))
  ) {
    throw new TypeError(
      `Cannot save embedder as options.extra must be an object: current value is ${
        JSON.stringify(extra)
      }`,
    );
  }
  const now = fingerprintOf(embedder.network);
  if (now !== embedder.fingerprint) {
    throw new Error(
      `Cannot save embedder to ${dir} as its network's weights changed after it was made (fingerprint ${
        now.slice(0, 12)
      }… is not the embedder's ${
        String(embedder.fingerprint).slice(0, 12)
      }…): make a new embedder with embedderOf(program) after training`,
    );
  }
  const { provenance } = embedder;
  return await saveModel(
    {
      embedder: embedder.network,
      ...(embedder.head === undefined ? {} : { head: embedder.head }),
      ...(provenance.kind === null ? {} : { kind: provenance.kind }),
      inputShape: embedder.inputShape,
      embeddingSize: embedder.embeddingSize,
    },
    dir,
    {
      overwrite: options.overwrite,
      ...(provenance.seed === null ? {} : { seed: provenance.seed }),
      spec: provenance.spec,
      normalisation: embedder.normalisation,
      distance: embedder.distance,
      threshold: options.threshold ?? embedder.threshold,
      ...(embedder.classNames === undefined ? {} : { classNames: embedder.classNames }),
      extra: {
        ...extra,
        loss: provenance.loss,
        steps: provenance.steps,
        fingerprint: embedder.fingerprint,
      },
    },
  );
}
