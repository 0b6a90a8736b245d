import * as tf from "@tensorflow/tfjs";
import type { Loss, LossInput, LossState, Optimizer, Stage } from "../types.ts";
import { Activation } from "./_activation_layer.ts";
import { BatchNormalization } from "./_batch_norm_layer.ts";
import { L2Normalize } from "./_l2_normalize_layer.ts";
import { SeededDropout } from "./_seeded_dropout_layer.ts";
import { SpatialDropout2D } from "./_spatial_dropout_2d_layer.ts";

/** A symbolic tensor of a functional tfjs model under construction. */
export type Symbolic = tf.SymbolicTensor;

/** Hands out the seeds of successive random layers, from one program seed. */
export interface Seeds {
  next(): number;
}

/** Seeds `seed·1000003 + 1, + 2, …` (distinct for every layer of every program seed). */
export function seeds(seed: number): Seeds {
  let i = 0;
  return { next: () => seed * 1_000_003 + ++i };
}

const SPATIAL = new Set(["conv2d", "maxPool2d", "spatialDropout2d", "globalAveragePool2d"]);

const describe = (shape: readonly (number | null)[]) => `[${shape.slice(1).join(", ")}]`;

function layerFor(stage: Stage, rng: Seeds): tf.layers.Layer | undefined {
  switch (stage.kind) {
    case "conv2d":
      return tf.layers.conv2d({
        filters: stage.filters,
        kernelSize: stage.kernelSize,
        strides: stage.strides,
        padding: stage.padding,
        activation: stage.activation,
        useBias: stage.useBias,
        kernelInitializer: tf.initializers.glorotUniform({ seed: rng.next() }),
      });
    case "dense":
      return tf.layers.dense({
        units: stage.units,
        activation: stage.activation,
        useBias: stage.useBias,
        kernelInitializer: tf.initializers.glorotUniform({ seed: rng.next() }),
      });
    case "batchNorm":
      return new BatchNormalization({ momentum: stage.momentum, epsilon: stage.epsilon });
    case "activation":
      return new Activation({ activation: stage.activation });
    case "dropout":
      return new SeededDropout({ rate: stage.rate, seed: rng.next() });
    case "spatialDropout2d":
      return new SpatialDropout2D({ rate: stage.rate, seed: rng.next() });
    case "maxPool2d":
      return tf.layers.maxPooling2d({ poolSize: stage.poolSize, strides: stage.strides });
    case "flatten":
      return tf.layers.flatten();
    case "globalAveragePool2d":
      return tf.layers.globalAveragePooling2d({});
    case "l2Normalize":
      return new L2Normalize({ epsilon: stage.epsilon });
    default:
      return undefined;
  }
}

/**
 * Applies `stages` to the symbolic tensor `x`, creating one tfjs layer per stage (seeded from
 * `rng`, in stage order). Errors name the stage and the shape it was given.
 */
export function applyStages(
  stages: readonly Stage[],
  x: Symbolic,
  rng: Seeds,
  where: string,
): Symbolic {
  let y = x;
  stages.forEach((stage, i) => {
    const label = `${where} stage ${i} (${stage.kind})`;
    if (SPATIAL.has(stage.kind) && y.shape.length !== 4) {
      throw new Error(
        `Cannot compile ${label} as its input must be [height, width, channels]: current shape is ${
          describe(y.shape)
        }`,
      );
    }
    try {
      if (stage.kind === "residual") {
        const main = applyStages(stage.main, y, rng, `${label} main`);
        const shortcut = stage.shortcut.length === 0
          ? y
          : applyStages(stage.shortcut, y, rng, `${label} shortcut`);
        if (main.shape.join() !== shortcut.shape.join()) {
          throw new Error(
            `Cannot compile ${label} as main and shortcut must give the same shape: current shapes are ${
              describe(main.shape)
            } and ${describe(shortcut.shape)}`,
          );
        }
        y = tf.layers.add().apply([main, shortcut]) as Symbolic;
      } else if (stage.kind === "layersModel") {
        stage.model.layers.forEach((layer, j) => {
          if (j < stage.freeze) layer.trainable = false;
        });
        y = stage.model.apply(y) as Symbolic;
      } else if (stage.kind === "flatten" && y.shape.length === 2) {
        // Already flat: nothing to do (lets image backbones such as mlp take vectors).
      } else {
        y = (layerFor(stage, rng) as tf.layers.Layer).apply(y) as Symbolic;
      }
      if (y.shape.slice(1).some((d) => d !== null && d < 1)) {
        throw new Error(
          `Cannot compile ${label} as its output must not be empty: current output shape is ${
            describe(y.shape)
          } (the input is too small for this branch)`,
        );
      }
    } catch (error) {
      const message = (error as Error).message;
      if (message.startsWith("Cannot compile")) throw error;
      throw new Error(
        `Cannot compile ${label} on input shape ${describe(y.shape)}: ${message}`,
      );
    }
  });
  return y;
}

/** The largest number of values one loss parameter may hold (what tfjs can index). */
const MAX_PARAMETER_SIZE = 2 ** 31 - 1;

/**
 * Creates the variables of a loss's declared parameters (seeded from `rng`, in declaration
 * order, after the branch and the head so that their seeds do not move). Every spec is checked
 * first, so a bad one creates nothing. `optimizerFor(multiplier)` gives the optimiser of a
 * parameter, or undefined when the program's optimiser trains it.
 */
export function buildLossParameters(
  loss: Loss<LossInput>,
  embeddingSize: number,
  rng: Seeds,
  optimizerFor: (multiplier: number, name: string) => Optimizer | undefined,
): LossState | undefined {
  const specs = loss.parameters;
  if (specs === undefined) return undefined;
  const where = `Cannot compile loss '${loss.name}'`;
  const checked = checkedSpecs(where, "parameter", specs, embeddingSize).map(
    ({ spec, name, shape }) => {
      const init = spec.init;
      const finite = (...xs: unknown[]) => xs.every((x) => typeof x === "number" && isFinite(x));
      const good = init?.kind === "normal"
        ? finite(init.mean, init.stddev) && init.stddev > 0
        : init?.kind === "uniform"
        ? finite(init.min, init.max) && init.min < init.max
        : false;
      if (!good) {
        throw new Error(
          `${where} as parameter '${name}' must have init { kind: "normal", mean, stddev > 0 } or { kind: "uniform", min < max } of finite numbers: current value is ${
            JSON.stringify(init)
          }`,
        );
      }
      const multiplier = spec.learningRateMultiplier ?? 1;
      if (typeof multiplier !== "number" || !isFinite(multiplier) || multiplier <= 0) {
        throw new Error(
          `${where} as parameter '${name}' must have a learningRateMultiplier that is a finite number > 0: current value is ${multiplier}`,
        );
      }
      return { name, shape, init, multiplier };
    },
  );
  // Optimisers are checked (and created) before any variable, so an error leaks nothing.
  const optimizers = checked.map(({ multiplier, name }) => optimizerFor(multiplier, name));
  const parameters = checked.map(({ name, shape, init }, i) => {
    const seed = rng.next();
    const variable = tf.tidy(() =>
      tf.variable(
        init.kind === "normal"
          ? tf.randomNormal(shape, init.mean, init.stddev, "float32", seed)
          : tf.randomUniform(shape, init.min, init.max, "float32", seed),
        true,
      )
    );
    const optimizer = optimizers[i];
    return optimizer === undefined ? { name, variable } : { name, variable, optimizer };
  });
  return { parameters };
}

/**
 * Creates the loss's buffers ({@linkcode LossBuffer}s: non-trainable, zeros), checking names
 * (unique) and shapes; an empty list when the loss declares none.
 */
export function buildLossBuffers(
  loss: Loss<LossInput>,
  embeddingSize: number,
): { name: string; variable: tf.Variable }[] {
  const specs = loss.buffers;
  if (specs === undefined) return [];
  const checked = checkedSpecs(
    `Cannot compile loss '${loss.name}'`,
    "buffer",
    specs,
    embeddingSize,
  );
  return checked.map(({ name, shape }) => ({
    name,
    variable: tf.tidy(() => tf.variable(tf.zeros(shape), false)),
  }));
}

/**
 * Checks a loss's parameter or buffer specs: a non-empty list, names non-empty and unique, shapes
 * of positive integers or "embeddingSize" (resolved) of at most MAX_PARAMETER_SIZE values.
 */
function checkedSpecs<S extends { readonly name: string; readonly shape: readonly unknown[] }>(
  where: string,
  what: "parameter" | "buffer",
  specs: readonly S[],
  embeddingSize: number,
): { spec: S; name: string; shape: number[] }[] {
  if (!Array.isArray(specs) || specs.length === 0) {
    throw new Error(
      `${where} as loss.${what}s must be a non-empty list of ${what} specs: current value is ${
        Array.isArray(specs) ? "[]" : String(specs)
      }`,
    );
  }
  const seen = new Set<string>();
  return specs.map((spec: S, i) => {
    const name = spec?.name;
    if (typeof name !== "string" || name === "" || seen.has(name)) {
      throw new Error(
        `${where} as ${what} ${i}'s name must be a non-empty string unique in the loss: current value is ${
          JSON.stringify(name)
        }`,
      );
    }
    seen.add(name);
    const shape = Array.isArray(spec.shape)
      ? spec.shape.map((d) => d === "embeddingSize" ? embeddingSize : d)
      : [];
    if (
      shape.length === 0 || shape.some((d) => !Number.isInteger(d) || (d as number) < 1) ||
      shape.reduce((a: number, b) => a * (b as number), 1) > MAX_PARAMETER_SIZE
    ) {
      throw new Error(
        `${where} as ${what} '${name}' must have a non-empty shape of positive integers or "embeddingSize" (at most ${MAX_PARAMETER_SIZE} values): current shape is ${
          JSON.stringify(spec.shape)
        }`,
      );
    }
    return { spec, name, shape: shape as number[] };
  });
}
