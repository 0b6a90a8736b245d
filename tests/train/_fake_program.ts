/**
 * A tiny stand-in for a compiled program (the contract of lib/compile's `Program`): a dense +
 * batch-norm embedder trained by Adam to map labelled rows to a one-hot target.
 */
import * as tf from "@tensorflow/tfjs";
import type { Labelled, Tensor } from "../../lib/types.ts";

export type FakeBatch = Labelled<Tensor>;

export interface FakeProgram {
  readonly embedder: tf.LayersModel;
  readonly head?: tf.LayersModel;
  readonly optimizer: tf.Optimizer;
  readonly rates: number[];
  trainStep(batch: FakeBatch): tf.Scalar;
  setLearningRate(lr: number): void;
  dispose(): void;
}

export function fakeProgram(
  options: { seed?: number; nanAt?: number; withHead?: boolean; units?: number } = {},
): FakeProgram {
  const seed = options.seed ?? 1;
  const units = options.units ?? 3;
  const embedder = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [4],
        units,
        // No bias before batch norm: its gradient is ~0 there, and Adam would amplify the
        // float noise of that ~0 into visible differences between equivalent runs.
        useBias: false,
        kernelInitializer: tf.initializers.glorotUniform({ seed }),
      }),
      tf.layers.batchNormalization(),
    ],
  });
  const head = options.withHead
    ? tf.sequential({
      layers: [
        tf.layers.dense({
          inputShape: [units],
          units: 1,
          kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
        }),
      ],
    })
    : undefined;
  const optimizer = tf.train.adam(0.05);
  const rates: number[] = [];
  let calls = 0;
  const vars = () => [
    ...embedder.trainableWeights.map((w) => w.read() as tf.Variable),
    ...(head?.trainableWeights.map((w) => w.read() as tf.Variable) ?? []),
  ];
  const program: FakeProgram = {
    embedder,
    head,
    optimizer,
    rates,
    trainStep(batch) {
      calls += 1;
      if (options.nanAt === calls) return tf.scalar(NaN);
      const loss = optimizer.minimize(
        () => {
          let y = embedder.apply(batch.embeddings, { training: true }) as tf.Tensor2D;
          if (head) y = tf.concat([y, head.apply(y) as tf.Tensor2D], 1);
          const target = tf.oneHot(tf.cast(batch.labels, "int32"), y.shape[1]!);
          return tf.losses.meanSquaredError(target, y) as tf.Scalar;
        },
        true,
        vars(),
      );
      return loss!;
    },
    setLearningRate(lr) {
      rates.push(lr);
      // Adam has no setter: tfjs reads learningRate on every step.
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
    },
    dispose() {
      embedder.dispose();
      head?.dispose();
      optimizer.dispose();
    },
  };
  return program;
}

/** A seeded, endless stream of labelled batches (an LCG, so it needs nothing else). */
export function* stream(seed: number, batchSize = 4): Generator<FakeBatch> {
  let state = seed >>> 0 || 1;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  while (true) {
    const x: number[] = [];
    const labels: number[] = [];
    for (let i = 0; i < batchSize; i++) {
      const label = Math.floor(next() * 3);
      labels.push(label);
      for (let j = 0; j < 4; j++) x.push(next() + (j === label ? 1 : 0));
    }
    yield {
      kind: "labelled",
      embeddings: tf.tensor2d(x, [batchSize, 4]),
      labels: tf.tensor1d(labels),
    };
  }
}

/** All weights of the program as plain arrays (embedder, then head). */
export function weightsOf(program: FakeProgram): number[][] {
  return [
    ...program.embedder.getWeights(),
    ...(program.head?.getWeights() ?? []),
  ].map((w) => Array.from(w.dataSync()));
}

/** Sets the embedder's first weight (its kernel) to `value` at `index` (row, column). */
export function poisonKernel(program: FakeProgram, value: number, ...index: number[]): void {
  const [kernel, ...rest] = program.embedder.getWeights();
  const buffer = kernel.bufferSync();
  buffer.set(value, ...index);
  const poisoned = buffer.toTensor();
  program.embedder.setWeights([poisoned, ...rest]);
  poisoned.dispose();
}

/** Runs an async generator to the end, collecting the yields and the return value. */
export async function drain<Y, R>(gen: AsyncGenerator<Y, R>): Promise<{ yields: Y[]; value: R }> {
  const yields: Y[] = [];
  let r = await gen.next();
  while (!r.done) {
    yields.push(r.value);
    r = await gen.next();
  }
  return { yields, value: r.value };
}
