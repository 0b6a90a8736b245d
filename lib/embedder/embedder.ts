import type { Distance, LayersModel, LossInput, Model, Program } from "../types.ts";
import type { History } from "../train/fit.ts";
import { checkDistance } from "../distances/host.ts";
import { fingerprintOf, normalisationOf } from "./_network.ts";

/**
 * Where an {@linkcode Embedder} came from: what was trained, how, and for how long.
 *
 * @example
 * ```ts
 * import type { EmbedderProvenance } from "./embedder.ts";
 * const p: EmbedderProvenance = { kind: "triplet", loss: "tripletMargin", seed: 1, steps: 938, spec: null };
 * if (p.steps !== 938) throw new Error("steps");
 * ```
 */
export interface EmbedderProvenance {
  /** The program kind it was trained as (`"pair"`, `"triplet"`, `"labelled"`, …), or `null`. */
  readonly kind: string | null;
  /** The loss's name, or `null`. */
  readonly loss: string | null;
  /** The run's seed, or `null`. */
  readonly seed: number | null;
  /** Optimiser steps trained, or `null`. */
  readonly steps: number | null;
  /**
   * The DSL description of the network: `{ model, loss }` with the model value itself (its
   * branch and stages, the embedding stage among them), or `null`.
   */
  readonly spec: unknown;
}

/**
 * A trained embedding model as a user holds it: the inference network (input item →
 * embedding row), its input shape and embedding size, how its rows are normalised, the
 * {@linkcode Distance} it was trained with (so verification, identification and galleries
 * use that one, by construction), the SHA-256 fingerprint of its weights (galleries bind to
 * it), where it came from, and optionally a calibrated threshold and class names.
 *
 * Get one from a trained program with {@linkcode embedderOf}, or from disk with
 * `loadEmbedder`; embed with `embed`, evaluate with `evaluate`, save with `saveEmbedder`.
 * The network is a stock tfjs `LayersModel` (`network`): hand it to any tfjs tool (export,
 * `predict`). It is the program's own network, not a copy: dispose the program (or the
 * loaded embedder) when done, not both.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { type Embedder, embedderOf } from "./embedder.ts";
 * import { compile } from "../compile/mod.ts";
 * import { dense, empty, l2Normalize, triplet } from "../branches/mod.ts";
 * import { tripletMargin } from "../losses/mod.ts";
 * import { euclidean } from "../distances/mod.ts";
 * await tf.setBackend("cpu");
 * const model = triplet(l2Normalize()(dense(3)(empty)));
 * const program = compile({ model, loss: tripletMargin(), inputShape: [4], seed: 1 });
 * const e: Embedder = embedderOf(program, { model, seed: 1 });
 * // the loss's distance, an L2-normalised 3-d embedding of 4 numbers
 * if (e.distance !== euclidean || e.normalisation !== "l2") throw new Error("distance");
 * if (e.embeddingSize !== 3 || e.inputShape.join() !== "4" || e.fingerprint.length !== 64) throw new Error("shape");
 * program.dispose();
 * ```
 */
export interface Embedder {
  /** The inference network: `[n, ...inputShape]` → `[n, embeddingSize]` (tfjs layers model). */
  readonly network: LayersModel;
  /** Shape of one input item, e.g. `[28, 28, 1]`. */
  readonly inputShape: readonly number[];
  /** Length of one embedding row. */
  readonly embeddingSize: number;
  /** `"l2"` when the network ends by L2-normalising its rows, else `"none"`. */
  readonly normalisation: string;
  /** The distance it was trained with: metrics, thresholds and galleries use this one. */
  readonly distance: Distance;
  /** SHA-256 (hex) of the network's weights when this value was made. */
  readonly fingerprint: string;
  /** What was trained and how. */
  readonly provenance: EmbedderProvenance;
  /** Verification threshold: same when distance ≤ threshold (e.g. the EER threshold). */
  readonly threshold?: number;
  /** Class names of the training data. */
  readonly classNames?: readonly string[];
  /** The loss head (e.g. the BCE pair head), when the loss had one; saved beside it. */
  readonly head?: LayersModel;
}

/**
 * Options of {@linkcode embedderOf}: what the program cannot tell.
 *
 * @example
 * ```ts
 * import type { EmbedderOfOptions } from "./embedder.ts";
 * import { cosine } from "../distances/mod.ts";
 * const options: EmbedderOfOptions = { distance: cosine, seed: 7, classNames: ["cat", "dog"] };
 * if (options.distance?.name !== "cosine") throw new Error("cosine");
 * ```
 */
export interface EmbedderOfOptions {
  /** The model value the program was compiled from: recorded as the spec. */
  readonly model?: Model<LossInput>;
  /**
   * The distance to verify and identify with. Default: the loss's own `distance`; required
   * when the loss has none (a classifier, a pair head, a user loss without one).
   */
  readonly distance?: Distance;
  /** The run's seed. */
  readonly seed?: number;
  /** The training history (its step count goes into the provenance). */
  readonly history?: Pick<History, "steps">;
  /** Settings of the loss to record beside its name, e.g. `{ margin: 1 }`. */
  readonly loss?: Readonly<Record<string, unknown>>;
  /** A verification threshold. */
  readonly threshold?: number;
  /** Class names of the training data. */
  readonly classNames?: readonly string[];
}

const checkFiniteOption = (name: string, value: unknown) => {
  if (value !== undefined && !(typeof value === "number" && Number.isFinite(value))) {
    throw new TypeError(
      `Cannot make embedder as options.${name} must be a finite number: current value is ${
        String(value)
      }`,
    );
  }
};

/**
 * The {@linkcode Embedder} of a trained program: its branch network, shapes and loss
 * distance (or `options.distance`), the normalisation read from the network, the weights'
 * fingerprint taken now (make a new embedder if you train on), and the provenance from the
 * program and `options`. Shares the program's network (no copy).
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { embedderOf } from "./embedder.ts";
 * import { compile } from "../compile/mod.ts";
 * import { dense, empty, labelled } from "../branches/mod.ts";
 * import { softmaxCrossEntropy } from "../losses/mod.ts";
 * import { cosine } from "../distances/mod.ts";
 * await tf.setBackend("cpu");
 * const model = labelled(dense(2)(empty));
 * const program = compile({ model, loss: softmaxCrossEntropy({ classes: 3 }), inputShape: [4] });
 * // a classifier's loss compares no embeddings: say which distance to use them with
 * let message = "";
 * try {
 *   embedderOf(program);
 * } catch (error) {
 *   message = (error as Error).message;
 * }
 * if (!message.includes("options.distance")) throw new Error(message);
 * const e = embedderOf(program, { model, distance: cosine, history: { steps: 5 } });
 * if (e.distance !== cosine || e.normalisation !== "none" || e.provenance.steps !== 5) throw new Error("embedder");
 * if (e.head === undefined) throw new Error("the classifier head comes along");
 * program.dispose();
 * ```
 */
export function embedderOf<I extends LossInput>(
  program: Program<I>,
  options: EmbedderOfOptions = {},
): Embedder {
  if (program === null || typeof program !== "object" || !program.embedder) {
    throw new TypeError(
      `Cannot make embedder as program must be a compiled program: current value is ${
        String(program)
      }`,
    );
  }
  const given = options.distance ?? program.loss.distance;
  if (given === undefined) {
    throw new TypeError(
      `Cannot make embedder as the loss ${program.loss.name} compares no embeddings with a distance: pass options.distance (e.g. distances.euclidean)`,
    );
  }
  const distance = checkDistance("make embedder", "options.distance", given);
  checkFiniteOption("seed", options.seed);
  checkFiniteOption("threshold", options.threshold);
  const network = program.embedder;
  return {
    network,
    inputShape: [...program.inputShape],
    embeddingSize: program.embeddingSize,
    normalisation: normalisationOf(network),
    distance,
    fingerprint: fingerprintOf(network),
    provenance: {
      kind: program.kind,
      loss: program.loss.name,
      seed: options.seed ?? null,
      steps: options.history?.steps ?? null,
      spec: {
        model: options.model ?? null,
        loss: { name: program.loss.name, ...options.loss, head: program.loss.head ?? null },
      },
    },
    ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
    ...(options.classNames === undefined ? {} : { classNames: [...options.classNames] }),
    ...(program.head === undefined ? {} : { head: program.head }),
  };
}
