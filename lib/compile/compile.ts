import * as tf from "@tensorflow/tfjs";
import type {
  Batch,
  LayersModel,
  Loss,
  LossContext,
  LossInput,
  LossState,
  Model,
  Optimizer,
  Program,
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Variable,
} from "../types.ts";
import {
  applyStages,
  buildLossBuffers,
  buildLossParameters,
  seeds,
  type Symbolic,
} from "./_build.ts";
import { makeOptimizer, type OptimizerName, setRate } from "./_optimizer.ts";
import {
  GroupedOptimizer,
  layersModelStages,
  stableGradients,
  trainableSlots,
  variableName,
} from "./_grouped_optimizer.ts";

export type { OptimizerName } from "./_optimizer.ts";

/** Options of {@linkcode compile}. */
export interface CompileOptions<I extends LossInput> {
  /** The model: a shared branch and the loss input it produces (`branches.triplet(b)`, …). */
  readonly model: Model<I>;
  /** A loss over the same input kind as the model (checked at compile time). */
  readonly loss: Loss<NoInfer<I>>;
  /** Shape of one input item without the batch axis: `[28, 28, 1]`, or `[d]` for vectors. */
  readonly inputShape: readonly number[];
  /** `"adam"` (default), `"sgd"`, `"rmsprop"`, `"adagrad"`, or a tfjs optimizer (the program then owns it). */
  readonly optimizer?: OptimizerName | Optimizer;
  /** Learning rate of a named optimizer (default 0.001). */
  readonly learningRate?: number;
  /** Seed of every initialiser and dropout mask, an integer from 0 to 2³² − 1 (default 0): same
   * seed, same numbers. */
  readonly seed?: number;
}

const shapeText = (shape: readonly (number | null)[]) => `[${shape.join(", ")}]`;

/** The largest dimension tfjs can index (int32). */
const MAX_DIMENSION = 2 ** 31 - 1;
/** The largest seed: every layer seed `seed·1000003 + i` stays an exact integer. */
const MAX_SEED = 2 ** 32 - 1;

/** The images of a batch in branch order. */
function inputsOf(batch: Batch<LossInput>): Tensor[] {
  switch (batch.kind) {
    case "pair":
      return [batch.left, batch.right];
    case "triplet":
      return [batch.anchor, batch.positive, batch.negative];
    case "labelled":
      return [batch.embeddings];
    case "nway":
      return [...batch.items];
  }
}

/** The loss input of a batch, with embeddings in place of images. */
function withEmbeddings(batch: Batch<LossInput>, e: Tensor2D[]): LossInput {
  switch (batch.kind) {
    case "pair":
      return { kind: "pair", left: e[0], right: e[1], same: batch.same };
    case "triplet":
      return { kind: "triplet", anchor: e[0], positive: e[1], negative: e[2] };
    case "labelled":
      return { kind: "labelled", embeddings: e[0], labels: batch.labels };
    case "nway":
      return { kind: "nway", items: e };
  }
}

const FIELDS: Record<LossInput["kind"], readonly string[]> = {
  pair: ["left", "right"],
  triplet: ["anchor", "positive", "negative"],
  labelled: ["embeddings"],
  nway: [],
};

/**
 * Compiles a model and a loss into a {@linkcode Program}: builds the shared branch as one tfjs
 * model (the `embedder`), the loss's head if it carries one, and an optimizer, all seeded from
 * `seed`. Pairing a model with a loss of another input kind (a triplet model with a pair loss,
 * say) is a type error.
 *
 * **Sharing and batch-norm.** The N applications of the shared branch in a step (2 for pairs,
 * 3 for triplets, N for `nWay`) run as ONE call: the N inputs are concatenated along the
 * batch axis, embedded together, and split. There is one weight set and its gradient sums
 * every branch's contribution. Batch-norm layers therefore normalise a training step with the
 * statistics of all `N·n` items together (anchors, positives and negatives alike), not per
 * branch, and update their moving averages once per step — the same statistics every branch
 * sees at inference. Calling the branch N times instead would normalise each branch with its
 * own batch statistics and update the moving averages N times per step.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { pipe } from "../pipe.ts";
 * import { dense, empty, l2Normalize, triplet } from "../branches/mod.ts";
 * import { tripletMargin } from "../losses/mod.ts";
 * import { compile } from "./compile.ts";
 * await tf.setBackend("cpu");
 * const model = triplet(pipe(empty, dense(8, { activation: "relu" }), dense(4), l2Normalize()));
 * const program = compile({ model, loss: tripletMargin(), inputShape: [6], seed: 1 });
 * const x = () => tf.randomUniform([5, 6], 0, 1, "float32", 7);
 * const batch = { kind: "triplet" as const, anchor: x(), positive: x(), negative: tf.zeros([5, 6]) };
 * // ten optimiser steps on the same batch lower its loss
 * const step = () => { const loss = program.trainStep(batch); const v = loss.dataSync()[0]; loss.dispose(); return v; };
 * const losses = Array.from({ length: 10 }, step);
 * if (!(losses[9] < losses[0])) throw new Error(`the loss did not fall: ${losses}`);
 * // embeddings are 4 wide and l2-normalised
 * const e = program.embed(batch.anchor);
 * const norms = tf.norm(e, 2, 1).dataSync();
 * if (e.shape[1] !== 4 || norms.some((n) => Math.abs(n - 1) > 1e-5)) throw new Error(`${norms}`);
 * program.dispose();
 * ```
 */
export function compile<I extends LossInput>(options: CompileOptions<I>): Program<I> {
  const { model, loss } = options;
  if (model === null || typeof model !== "object" || model.branch?.kind !== "branch") {
    throw new Error(
      `Cannot compile as model must be a model value (branches.siamese(…), …): current value is ${
        String(model)
      }`,
    );
  }
  const fixedArity: Record<string, number> = { pair: 2, triplet: 3, labelled: 1 };
  const arityOk = model.kind === "nway"
    ? Number.isInteger(model.arity) && model.arity >= 2
    : model.arity === fixedArity[model.kind];
  if (!arityOk) {
    throw new Error(
      `Cannot compile ${model.kind} model as model.arity must be ${
        model.kind === "nway" ? "an integer ≥ 2" : fixedArity[model.kind] ?? "that of its kind"
      }: current arity is ${model.arity}`,
    );
  }
  if (loss === null || typeof loss !== "object" || typeof loss.perItem !== "function") {
    throw new Error(
      `Cannot compile as loss must be a loss value (losses.contrastive(), …): current value is ${
        String(loss)
      }`,
    );
  }
  if (options.inputShape === null || !Array.isArray(options.inputShape)) {
    throw new Error(
      `Cannot compile ${model.kind} model as inputShape must be a non-empty list of positive integers: current value is ${
        String(options.inputShape)
      }`,
    );
  }
  const inputShape = [...options.inputShape];
  if (
    inputShape.length === 0 ||
    inputShape.some((d) => !Number.isInteger(d) || d < 1 || d > MAX_DIMENSION)
  ) {
    throw new Error(
      `Cannot compile ${model.kind} model as inputShape must be a non-empty list of positive integers (each ≤ ${MAX_DIMENSION}): current value is ${
        shapeText(inputShape.map(String) as unknown as number[])
      }`,
    );
  }
  const seed = options.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new Error(
      `Cannot compile as seed must be an integer from 0 to ${MAX_SEED}: current value is ${
        String(seed)
      }`,
    );
  }
  const given = options.optimizer;
  if (
    typeof given === "object" && given !== null &&
    !(typeof given.minimize === "function" && typeof given.getWeights === "function" &&
      typeof given.setWeights === "function")
  ) {
    throw new Error(
      `Cannot compile as optimizer must be "adam", "sgd", "rmsprop", "adagrad" or a tfjs optimizer: current value is an object without minimize, getWeights and setWeights`,
    );
  }
  // Pretrained models (fromLayersModel stages) may train at a multiple of the learning rate.
  const backbones = layersModelStages(model.branch.stages);
  const scaled = backbones.filter((s) => (s.learningRateMultiplier ?? 1) !== 1);
  for (const s of scaled) {
    const m = s.learningRateMultiplier;
    if (typeof m !== "number" || !isFinite(m) || m <= 0) {
      throw new Error(
        `Cannot compile as a fromLayersModel stage's learningRateMultiplier must be a finite number > 0: current value is ${m}`,
      );
    }
    if (typeof given === "object" && given !== null) {
      throw new Error(
        `Cannot compile as the fromLayersModel stage '${s.model.name}' asks for learningRateMultiplier ${m}, which needs a named optimizer ("adam", "sgd", "rmsprop", "adagrad"): current optimizer is a tfjs optimizer object`,
      );
    }
  }
  let optimizer: Optimizer = makeOptimizer(
    options.optimizer ?? "adam",
    options.learningRate ?? 1e-3,
  );
  const rng = seeds(seed);

  // The shared branch, built once.
  const input = tf.input({ shape: inputShape });
  const output = applyStages(model.branch.stages, input, rng, `${model.kind} branch`);
  if (output.shape.length !== 2) {
    throw new Error(
      `Cannot build ${model.kind} model as branch output must be rank 2: current rank is ${output.shape.length}`,
    );
  }
  const embeddingSize = output.shape[1] as number;
  const embedder = tf.model({ inputs: input, outputs: output });

  // The loss head, built after the branch so the branch's seeds do not depend on the loss.
  let head: LayersModel | undefined;
  if (loss.head !== undefined) {
    const width = loss.head.input === "pair" ? 2 * embeddingSize : embeddingSize;
    const headInput = tf.input({ shape: [width] });
    const headOutput: Symbolic = applyStages(
      loss.head.branch.stages,
      headInput,
      rng,
      `${loss.name} head`,
    );
    head = tf.model({ inputs: headInput, outputs: headOutput });
  }

  // The loss's own parameters, built last (their seeds come after the branch's and head's).
  // With a named optimizer each parameter gets its own of the same kind at
  // learningRate·multiplier (Adam and the others act per weight, so at multiplier 1 this is
  // the same step as sharing one); a given tfjs optimizer trains them with the model.
  const baseRate = options.learningRate ?? 1e-3;
  let lossState: LossState | undefined;
  let lossBuffers: { name: string; variable: Variable }[] = [];
  try {
    lossState = buildLossParameters(
      loss as Loss<LossInput>,
      embeddingSize,
      rng,
      (multiplier, name) => {
        if (typeof given !== "object" || given === null) {
          return makeOptimizer(given ?? "adam", baseRate * multiplier);
        }
        if (multiplier !== 1) {
          throw new Error(
            `Cannot compile loss '${loss.name}' as its parameter '${name}' asks for learningRateMultiplier ${multiplier}, which needs a named optimizer ("adam", "sgd", "rmsprop", "adagrad"): current optimizer is a tfjs optimizer object`,
          );
        }
        return undefined;
      },
    );
    // The loss's buffers (non-trainable, zeros; a memory queue), after every parameter.
    lossBuffers = buildLossBuffers(loss as Loss<LossInput>, embeddingSize);
  } catch (error) {
    embedder.dispose();
    head?.dispose();
    if (typeof given !== "object" || given === null) optimizer.dispose();
    for (const p of lossState?.parameters ?? []) {
      p.variable.dispose();
      p.optimizer?.dispose();
    }
    throw error;
  }
  if (lossBuffers.length > 0) {
    lossState = { parameters: lossState?.parameters ?? [], buffers: lossBuffers };
  }
  const lossParameters = lossState?.parameters ?? [];
  const bufferTensors: Readonly<Record<string, Tensor>> | undefined = lossBuffers.length === 0
    ? undefined
    : Object.fromEntries(lossBuffers.map((b) => [b.name, b.variable]));
  if (scaled.length > 0) {
    optimizer = new GroupedOptimizer(
      optimizer,
      scaled.map((s) => ({
        names: trainableSlots(s.model).map(variableName),
        multiplier: s.learningRateMultiplier as number,
        optimizer: makeOptimizer(
          given as OptimizerName ?? "adam",
          baseRate * s.learningRateMultiplier!,
        ),
      })),
    );
  }
  // With a pretrained model that can be frozen and unfrozen, the optimiser sees every weight
  // that can train, in one fixed order (null gradients for frozen ones): tfjs optimisers keep
  // their slots by position, so a list that grows on unfreezing would mix up their state.
  const stableNames: readonly string[] | undefined = backbones.length === 0 ? undefined : [
    ...[...trainableSlots(embedder), ...trainableSlots(head)].map(variableName),
    ...lossParameters.filter((p) => p.optimizer === undefined).map((p) => p.variable.name),
  ];
  const multipliers = (loss.parameters ?? []).map((p) => p.learningRateMultiplier ?? 1);
  const parameterTensors: Readonly<Record<string, Tensor>> | undefined = lossParameters.length === 0
    ? undefined
    : Object.fromEntries(lossParameters.map((p) => [p.name, p.variable]));
  const modelVariables = (): Variable[] =>
    [...embedder.trainableWeights, ...(head?.trainableWeights ?? [])].map(
      (w) => w.read() as Variable,
    );
  const variables = (): Variable[] => [
    ...modelVariables(),
    ...lossParameters.map((p) => p.variable),
  ];

  const checkItems = (what: string, x: Tensor, argument: string, rows?: number): number => {
    if (x === null || typeof x !== "object" || !Array.isArray(x.shape)) {
      throw new Error(
        `Cannot ${what} as ${argument} must be a tensor: current value is ${String(x)}`,
      );
    }
    const expected = [rows ?? x.shape[0], ...inputShape];
    if (x.rank !== expected.length || x.shape.some((d, i) => d !== expected[i]) || x.shape[0] < 1) {
      throw new Error(
        `Cannot ${what} as ${argument} must have shape ${
          shapeText([rows ?? "n" as unknown as number, ...inputShape])
        } with n ≥ 1: current shape is ${shapeText(x.shape)}`,
      );
    }
    return x.shape[0];
  };

  const checkBatch = (what: string, batch: Batch<I>): void => {
    if (batch === null || typeof batch !== "object" || batch.kind !== model.kind) {
      throw new Error(
        `Cannot ${what} as batch.kind must be "${model.kind}": current kind is ${
          (batch as { kind?: unknown } | null)?.kind
        }`,
      );
    }
    const b = batch as Batch<LossInput>;
    if (b.kind === "nway" && !Array.isArray(b.items)) {
      throw new Error(
        `Cannot ${what} as batch.items must be an array of ${model.arity} tensors (the model's arity): current value is ${
          String(b.items)
        }`,
      );
    }
    const inputs = inputsOf(b);
    if (b.kind === "nway" && inputs.length !== model.arity) {
      throw new Error(
        `Cannot ${what} as the model's arity is ${model.arity} (nWay(${model.arity}, …)) but batch.items holds ${inputs.length} tensors: it must hold ${model.arity} (the anchor, a positive and ${
          Number(model.arity) - 2
        } negatives)`,
      );
    }
    const names = FIELDS[b.kind];
    const n = checkItems(what, inputs[0], `batch.${names[0] ?? "items[0]"}`);
    inputs.forEach((x, i) => checkItems(what, x, `batch.${names[i] ?? `items[${i}]`}`, n));
    const labels = b.kind === "pair" ? b.same : b.kind === "labelled" ? b.labels : undefined;
    if (labels !== undefined && (labels.rank !== 1 || labels.shape[0] !== n)) {
      throw new Error(
        `Cannot ${what} as batch.${
          b.kind === "pair" ? "same" : "labels"
        } must have shape [${n}]: current shape is ${shapeText(labels.shape)}`,
      );
    }
  };

  /** New buffer values a training step's loss staged with `context.update`, by name. */
  const staged = new Map<string, Tensor>();
  const stage = (name: string, value: Tensor): void => {
    const target = lossBuffers.find((b) => b.name === name);
    if (target === undefined) {
      throw new Error(
        `Cannot update loss buffer '${name}' as loss '${loss.name}' declares no buffer of that name: current buffers are [${
          lossBuffers.map((b) => b.name).join(", ")
        }]`,
      );
    }
    const shape = target.variable.shape;
    if (value.rank !== shape.length || value.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `Cannot update loss buffer '${name}' as its new value must have shape [${shape}]: current shape is [${value.shape}]`,
      );
    }
    staged.get(name)?.dispose();
    staged.set(name, tf.keep(tf.cast(value, target.variable.dtype)));
  };
  const dropStaged = () => {
    staged.forEach((t) => t.dispose());
    staged.clear();
  };
  /** Writes the staged buffer values (after the step's update), then forgets them. */
  const commitStaged = () => {
    for (const b of lossBuffers) {
      const value = staged.get(b.name);
      if (value !== undefined) b.variable.assign(value);
    }
    dropStaged();
  };

  const forward = (batch: Batch<I>, training: boolean): Scalar => {
    const b = batch as Batch<LossInput>;
    const inputs = inputsOf(b);
    const rows = inputs.map((x) => x.shape[0]);
    const x = inputs.length === 1 ? inputs[0] : tf.concat(inputs, 0);
    const e = embedder.apply(x, { training }) as Tensor2D;
    const parts = inputs.length === 1 ? [e] : (tf.split(e, rows, 0) as Tensor2D[]);
    const context: LossContext = {
      training,
      ...(head === undefined ? {} : {
        head: (z: Tensor2D) => (head as LayersModel).apply(z, { training }) as Tensor2D,
      }),
      ...(parameterTensors === undefined ? {} : { parameters: parameterTensors }),
      ...(bufferTensors === undefined ? {} : { buffers: bufferTensors }),
      ...(training && bufferTensors !== undefined ? { update: stage } : {}),
    };
    const lossInput = withEmbeddings(b, parts) as I;
    return loss.reduce(loss.perItem(lossInput, context));
  };

  /** One optimiser step (the loss's staged buffer values are written by the caller). */
  const step = (batch: Batch<I>, vars: Variable[]): Scalar => {
    const own = lossParameters.filter((p) => p.optimizer !== undefined);
    if (own.length === 0 && stableNames === undefined) {
      return optimizer.minimize(() => forward(batch, true), true, vars) as Scalar;
    }
    // One gradient for everything, then each optimiser updates its own variables.
    const { value, grads } = tf.variableGrads(() => forward(batch, true), vars);
    try {
      const ownNames = new Set(own.map((p) => p.variable.name));
      optimizer.applyGradients(
        stableNames === undefined
          ? Object.fromEntries(Object.entries(grads).filter(([name]) => !ownNames.has(name)))
          : stableGradients(stableNames, grads),
      );
      for (const p of own) {
        p.optimizer!.applyGradients({ [p.variable.name]: grads[p.variable.name] });
      }
    } finally {
      tf.dispose(Object.values(grads));
    }
    return value;
  };

  let disposed = false;
  const alive = (what: string) => {
    if (disposed) {
      throw new Error(`Cannot ${what} as the program is disposed: current state is disposed`);
    }
  };

  return {
    kind: model.kind,
    inputShape,
    embeddingSize,
    loss: loss as Loss<I>,
    embedder,
    ...(head === undefined ? {} : { head }),
    optimizer,
    ...(lossState === undefined ? {} : { lossState }),
    trainStep(batch: Batch<I>): Scalar {
      alive("train step");
      checkBatch(`train ${model.kind} program on batch`, batch);
      const vars = variables();
      if (vars.length === 0) {
        throw new Error(
          `Cannot train ${model.kind} program as it must have trainable weights: current count is 0`,
        );
      }
      dropStaged();
      try {
        const value = step(batch, vars);
        commitStaged();
        return value;
      } finally {
        dropStaged();
      }
    },
    evaluate(batch: Batch<I>): Scalar {
      alive("evaluate");
      checkBatch(`evaluate ${model.kind} program on batch`, batch);
      return tf.tidy(() => forward(batch, false));
    },
    embed(x: Tensor): Tensor2D {
      alive("embed");
      checkItems("embed", x, "x");
      return tf.tidy(() => embedder.apply(x, { training: false }) as Tensor2D);
    },
    scorePairs(left: Tensor, right: Tensor): Tensor1D {
      alive("score pairs");
      const n = checkItems("score pairs", left, "left");
      checkItems("score pairs", right, "right", n);
      return tf.tidy(() => {
        const e = embedder.apply(tf.concat([left, right], 0), { training: false }) as Tensor2D;
        const [l, r] = tf.split(e, [n, n], 0) as Tensor2D[];
        if (head !== undefined && loss.head?.input === "pair") {
          const z = head.apply(tf.concat([l, r], 1), { training: false }) as Tensor;
          return tf.sigmoid(tf.reshape(z, [n])) as Tensor1D;
        }
        if (loss.distance === undefined) {
          throw new Error(
            `Cannot score pairs as loss '${loss.name}' has no distance and no pair head: give the loss a distance (e.g. fromPerItem's distance argument) so that pairs are scored with the distance the model was trained with`,
          );
        }
        return loss.distance.rows(l, r);
      });
    },
    trainableWeights: variables,
    setLearningRate(learningRate: number): void {
      setRate(optimizer, learningRate);
      lossParameters.forEach((p, i) => {
        if (p.optimizer !== undefined) setRate(p.optimizer, learningRate * multipliers[i]);
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      embedder.dispose();
      head?.dispose();
      optimizer.dispose();
      for (const p of lossParameters) {
        p.variable.dispose();
        p.optimizer?.dispose();
      }
      for (const b of lossBuffers) b.variable.dispose();
      dropStaged();
    },
  };
}
