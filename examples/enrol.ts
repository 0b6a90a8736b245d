#!/usr/bin/env -S deno run --allow-read --allow-write=runs --allow-ffi
/**
 * The open world: enrol classes never seen in training, without retraining.
 *
 *     deno run --allow-read --allow-write=runs --allow-ffi examples/enrol.ts
 *
 * Permissions (the narrowest that work): `--allow-read` (the data, the bundled sample, the
 * wasm binaries, the gallery file), `--allow-write=runs` (the default run folder with its
 * SQLite gallery; widen it with `--out`) and `--allow-ffi` (the faster `native` backend,
 * chosen by default where Debian's libdnnl2 and libopenblas0 are installed; without it the
 * example runs on wasm). `node:sqlite` is built into Deno and needs no further permission.
 * Optional: `--allow-env` to honour LIKENESS_DATA, LIKENESS_BACKEND and the user cache folder
 * when looking for Fashion-MNIST; `--allow-net` to download it when no local copy exists (the
 * Debian package `dataset-fashion-mnist` is found without either). `--quick` uses only the
 * bundled sample.
 *
 * Fashion-MNIST's ten classes are split, seeded, into 5 seen and 5 unseen classes. A shared
 * branch, the lecture's network `pipe(vgg(), embedding(32))`, L2-normalised, is trained with
 * the triplet margin
 * loss on the seen classes only. Then `--shots` images of each unseen class are embedded and
 * enrolled into a persistent gallery (`<out>/gallery.db`, bound to the model's weight
 * fingerprint), and every other unseen-class test image is
 *
 * - identified: ranked against the 5 enrolled identities (rank-1, rank-2; rank-5 of 5 is
 *   trivially 1);
 * - verified: claimed to be each enrolled identity in turn (one genuine and four impostor
 *   claims per image). TAR@FAR comes from the ROC of these claims; separately, every
 *   claim is decided at a threshold calibrated on the SEEN classes' test images (the same
 *   protocol: a gallery of `--shots` images per seen class, claims of the rest), as a deployed
 *   system must, since it cannot look at identities that are not enrolled yet.
 *
 * Beside it, a softmax classifier with the same backbone is trained on the same 5 seen
 * classes. It cannot represent the new classes: every unseen-class image is predicted as one
 * of the 5 seen labels (its accuracy on them is 0 by construction). Its 32-d penultimate
 * layer is then put through the same gallery protocol, for a fair comparison of embeddings.
 *
 * The protocol itself is the library's `openSetEvaluation` (lib/protocols): this program
 * trains the two models and hands it their embedding functions.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../lib/pipe.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, labelled, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import {
  classDisjointSplit,
  fashionMnist,
  filterClasses,
  stratifiedSplit,
  subset,
} from "../lib/data/mod.ts";
import { euclidean } from "../lib/distances/mod.ts";
import { fingerprintWeights, removeGallery, sqliteStore } from "../lib/gallery/mod.ts";
import { softmaxCrossEntropy, tripletMargin } from "../lib/losses/mod.ts";
import * as metrics from "../lib/metrics/mod.ts";
import * as report from "../lib/report/mod.ts";
import { type OpenSetEvaluation, openSetEvaluation, pickShots } from "../lib/protocols/mod.ts";
import { batch, pk, repeat, triplets } from "../lib/samplers/mod.ts";
import { saveModel } from "../lib/train/mod.ts";
import type { Dataset, LossInput, Program, Tensor, Tensor2D } from "../lib/types.ts";
import {
  embedAll,
  type ExampleArgs,
  type ExampleData,
  parseExampleArgs,
  startBackend,
  type Trained,
  trainExample,
  writeTextAtomic,
} from "./_common.ts";

const NAME = "enrol";
const PERMISSIONS = "--allow-read --allow-write=runs --allow-ffi";
const DEFAULT_SHOTS = 5;
/** --quick trains this many epochs over its 300 seen-class images unless --epochs says. */
const QUICK_EPOCHS = 8;
const FARS = [0.01, 0.001];

// ---------------------------------------------------------------------------
// Options: the common ones, plus --shots (parsed here, the rest goes to _common).
// ---------------------------------------------------------------------------

function ownOptions(argv: readonly string[]): { shots: number; rest: string[] } {
  const rest: string[] = [];
  let raw: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--shots") {
      raw = argv[++i];
    } else if (a.startsWith("--shots=")) {
      raw = a.slice("--shots=".length);
    } else {
      rest.push(a);
    }
  }
  let shots = DEFAULT_SHOTS;
  if (raw !== undefined) {
    shots = Number(raw);
    if (!Number.isInteger(shots) || shots < 1) {
      throw new Error(
        `Cannot run ${NAME} as --shots must be an integer ≥ 1: current value is ${raw}`,
      );
    }
  }
  const quick = rest.includes("--quick");
  const help = rest.includes("--help") || rest.includes("-h");
  const epochsGiven = rest.some((a) => a === "--epochs" || a.startsWith("--epochs="));
  if (quick && !help && !epochsGiven) rest.push("--epochs", String(QUICK_EPOCHS));
  return { shots, rest };
}

// ---------------------------------------------------------------------------
// Data: seen classes to train on and calibrate with, unseen classes to enrol and probe.
// ---------------------------------------------------------------------------

interface OpenWorld {
  readonly seenClasses: readonly number[];
  readonly unseenClasses: readonly number[];
  /** Seen classes: training images. */
  readonly seenTrain: Dataset;
  /** Seen classes: held-out images (threshold calibration, classifier accuracy). */
  readonly seenTest: Dataset;
  /** Unseen classes: the pool `shots` images of each class are enrolled from (seeded). */
  readonly enrolPool: Dataset;
  /** Unseen classes: test images identified and verified against the gallery. */
  readonly probes: Dataset;
  readonly description: Record<string, string>;
}

async function loadOpenWorld(args: ExampleArgs, shots: number): Promise<OpenWorld> {
  const source = await fashionMnist({ split: args.quick ? "sample" : "train" });
  const split = classDisjointSplit(source, { unseenCount: 5, seed: args.seed });
  const { seenClasses, unseenClasses } = split;
  if (args.quick) {
    const { train, validation } = stratifiedSplit(split.seen, {
      validationFraction: 0.4,
      seed: args.seed,
    });
    // The protocol's own seeded pick: the same `shots` images it enrols, the rest probe.
    const { picked, rest } = pickShots(split.unseen.labels, unseenClasses, shots, args.seed, {
      what: "the bundled sample's unseen classes (--shots)",
    });
    return {
      seenClasses,
      unseenClasses,
      seenTrain: train,
      seenTest: validation,
      enrolPool: subset(split.unseen, picked),
      probes: subset(split.unseen, rest),
      description: {
        seenTrain: `bundled sample, seen classes: ${train.size} images (60%, seed ${args.seed})`,
        seenTest: `bundled sample, seen classes: the other ${validation.size}`,
        enrol: `bundled sample, unseen classes: ${shots} per class (seed ${args.seed})`,
        probes: `bundled sample, unseen classes: the other ${rest.length}`,
      },
    };
  }
  const test = await fashionMnist({ split: "test" });
  const seenTest = filterClasses(test, seenClasses);
  const probes = filterClasses(test, unseenClasses);
  return {
    seenClasses,
    unseenClasses,
    seenTrain: split.seen,
    seenTest,
    enrolPool: split.unseen,
    probes,
    description: {
      seenTrain: `Fashion-MNIST train, seen classes (${split.seen.size})`,
      seenTest: `Fashion-MNIST test, seen classes (${seenTest.size})`,
      enrol: `Fashion-MNIST train, unseen classes: ${shots} per class (seed ${args.seed})`,
      probes: `Fashion-MNIST test, unseen classes (${probes.size})`,
    },
  };
}

/** The dataset with labels renumbered 0 … classes.length − 1 (for a 5-way softmax head). */
function relabel(dataset: Dataset, classes: readonly number[]): Dataset {
  const labels = new Int32Array(dataset.size);
  for (let i = 0; i < dataset.size; i++) labels[i] = classes.indexOf(dataset.labels[i]);
  return { ...dataset, labels, classNames: classes.map((c) => dataset.classNames[c]) };
}

// ---------------------------------------------------------------------------
// The open-set protocol (lib/protocols), the same for both models; the unseen classes are
// enrolled into a persistent SQLite gallery bound to the model's weights.
// ---------------------------------------------------------------------------

interface ProtocolResult extends OpenSetEvaluation {
  readonly fingerprint: string;
  readonly dim: number;
  readonly similar: report.RankedQuery[];
  readonly seconds: number;
}

function evaluateOpenSet(
  program: Program<LossInput>,
  world: OpenWorld,
  galleryPath: string,
  shots: number,
  seed: number,
): ProtocolResult {
  const t0 = performance.now();
  const embed = (x: Tensor): Tensor2D => program.embed(x);
  const samples = (d: Dataset) => ({
    labels: d.labels,
    embeddings: (indices: readonly number[]) => embedAll(embed, subset(d, indices)).embeddings,
  });
  const fingerprint = fingerprintWeights(
    program.embedder.getWeights().map((w) => w.dataSync() as Float32Array),
  );
  const dim = program.embeddingSize;
  // A rerun replaces its own gallery; removeGallery refuses any file that is not one.
  removeGallery(galleryPath);
  const store = sqliteStore(galleryPath, { dim, fingerprint, distance: euclidean });
  try {
    const result = openSetEvaluation({
      dim,
      distance: euclidean,
      shots,
      seed,
      fars: FARS,
      classNames: world.seenTrain.classNames,
      seen: samples(world.seenTest),
      unseen: { enrol: samples(world.enrolPool), probes: samples(world.probes) },
      store,
    });
    // Content-based retrieval for the report: the enrolled images closest to one probe of
    // each unseen class (index probes.size + j is enrolled image j in the figure).
    const similar = world.unseenClasses.flatMap((c) => {
      const query = world.probes.labels.indexOf(c);
      if (query < 0) return [];
      const q = result.probeEmbeddings.subarray(query * dim, (query + 1) * dim);
      const neighbours = result.enrolled.map((index, j) => ({
        index: world.probes.size + j,
        distance: euclidean.host.pair(q, result.enrolEmbeddings.subarray(j * dim, (j + 1) * dim)),
        correct: world.enrolPool.labels[index] === c,
      })).sort((a, b) => a.distance - b.distance).slice(0, shots);
      return [{ query, neighbours }];
    });
    return { ...result, fingerprint, dim, similar, seconds: (performance.now() - t0) / 1000 };
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------
// The classifier on unseen classes: where do its predictions go?
// ---------------------------------------------------------------------------

function predict(program: Program<LossInput>, dataset: Dataset): Int32Array {
  const head = program.head;
  if (head === undefined) throw new Error("Cannot predict as the classifier has no head");
  const out = new Int32Array(dataset.size);
  const per = dataset.shape.reduce((a, b) => a * b, 1);
  for (let start = 0; start < dataset.size; start += 500) {
    const n = Math.min(500, dataset.size - start);
    const predicted = tf.tidy(() => {
      const x = tf.tensor(
        dataset.images.subarray(start * per, (start + n) * per),
        [n, ...dataset.shape],
      );
      return tf.argMax(head.predict(program.embed(x)) as Tensor2D, 1);
    });
    out.set(predicted.dataSync() as Int32Array, start);
    predicted.dispose();
  }
  return out;
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

const { shots, rest } = ownOptions(Deno.args);
const args = parseExampleArgs({
  name: NAME,
  summary:
    "train on 5 Fashion-MNIST classes, enrol the 5 unseen ones from a few shots, identify and verify them",
  permissions: PERMISSIONS,
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3 },
  notes: [
    `  --shots N             images enrolled per unseen class (default ${DEFAULT_SHOTS})`,
    "",
    `With --quick, ${QUICK_EPOCHS} epochs over the sample's 300 seen-class training images`,
    "unless --epochs is given. Both models (triplet embedding, softmax classifier) train with",
    "the same --epochs, --steps, --lr and --seed; a triplet step takes --batch triplets, a",
    "classifier step 2 × --batch images (5 classes alike). Also writes <out>/gallery.db (the",
    "unseen classes enrolled through the triplet model) and <out>/classifier/ (its model and",
    "gallery).",
  ],
}, rest);

if (args) {
  const backend = await startBackend(args);
  const world = await loadOpenWorld(args, shots);
  const names = (cs: readonly number[]) => cs.map((c) => world.seenTrain.classNames[c]);
  console.error(
    `${NAME}: seen ${names(world.seenClasses).join(", ")}; unseen ${
      names(world.unseenClasses).join(", ")
    } → ${args.out} (backend ${backend})`,
  );
  await Deno.mkdir(`${args.out}/classifier`, { recursive: true });
  const data: ExampleData = {
    train: world.seenTrain,
    test: world.seenTest,
    description: { train: world.description.seenTrain, test: world.description.seenTest },
  };

  // The metric-learning model: triplet margin loss on the seen classes.
  const tripletModel = triplet(pipe(vgg(), embedding(args.embedding), l2Normalize()));
  const margin = 1;
  const tripletLoss = tripletMargin({ margin });
  const tripletProgram = compile({
    model: tripletModel,
    loss: tripletLoss,
    inputShape: world.seenTrain.shape,
    learningRate: args.lr,
    seed: args.seed,
  });
  console.error(`${NAME}: training the triplet embedding…`);
  const tripletTrained = await trainExample(
    tripletProgram,
    // Endless (re-drawn each pass): fit cuts it into epochs of ⌈train / batch⌉ steps.
    pipe(triplets(world.seenTrain), repeat(), batch(args.batch)),
    data,
    args,
  );

  // The classifier: same network (the 32-d embedding stage as penultimate layer), a 5-way
  // softmax head.
  const seenTrain5 = relabel(world.seenTrain, world.seenClasses);
  const classes = world.seenClasses.length;
  // Images per classifier step: 2 × --batch (a triplet step embeds 3 × --batch images).
  const classifierBatch = 2 * args.batch;
  const classifierModel = labelled(pipe(vgg(), embedding(args.embedding)));
  const classifierLoss = softmaxCrossEntropy({ classes });
  const classifier = compile({
    model: classifierModel,
    loss: classifierLoss,
    inputShape: world.seenTrain.shape,
    learningRate: args.lr,
    seed: args.seed,
  });
  console.error(`${NAME}: training the classifier…`);
  const classifierTrained = await trainExample(
    classifier,
    pipe(pk(seenTrain5, { p: classes, k: Math.ceil(classifierBatch / classes) }), repeat()),
    { ...data, train: seenTrain5 },
    { ...args, batch: classifierBatch, out: `${args.out}/classifier` },
  );

  console.error(`${NAME}: enrolling the unseen classes and evaluating…`);
  const tripletResult = evaluateOpenSet(
    tripletProgram as Program<LossInput>,
    world,
    `${args.out}/gallery.db`,
    shots,
    args.seed,
  );
  const classifierResult = evaluateOpenSet(
    classifier as Program<LossInput>,
    world,
    `${args.out}/classifier/gallery.db`,
    shots,
    args.seed,
  );

  // Where the classifier puts the unseen classes, and how it does on the seen ones.
  const unseenPredicted = predict(classifier as Program<LossInput>, world.probes);
  const seenPredicted = predict(classifier as Program<LossInput>, world.seenTest);
  let seenCorrect = 0;
  for (let i = 0; i < world.seenTest.size; i++) {
    if (world.seenClasses[seenPredicted[i]] === world.seenTest.labels[i]) seenCorrect++;
  }
  const seenNames = names(world.seenClasses);
  const unseenNames = names(world.unseenClasses);
  const predictions: Record<string, Record<string, number>> = {};
  let inSeen = 0;
  for (const u of unseenNames) predictions[u] = Object.fromEntries(seenNames.map((s) => [s, 0]));
  for (let i = 0; i < world.probes.size; i++) {
    const p = unseenPredicted[i];
    if (p >= 0 && p < classes) inSeen++;
    predictions[world.probes.classNames[world.probes.labels[i]]][seenNames[p]]++;
  }

  // Save both models (metadata carries the operating threshold and the gallery binding).
  const modelBlock = (
    program: Program<LossInput>,
    trained: Trained,
    result: ProtocolResult,
    extra: Record<string, unknown>,
  ) => ({
    loss: program.loss.name,
    embeddingSize: program.embeddingSize,
    steps: trained.history.steps,
    epochs: Math.round((trained.history.steps / trained.stepsPerEpoch) * 1000) / 1000,
    imagesSeen: trained.history.images,
    imagesPerSecond: trained.history.imagesPerSecond,
    trainSeconds: trained.seconds,
    stopReason: trained.history.stopReason,
    finalLoss: trained.history.epochLoss.at(-1) ?? trained.history.loss.at(-1) ?? null,
    fingerprint: result.fingerprint,
    identification: result.identification,
    verification: result.verification,
    claims: result.claims,
    evaluationSeconds: result.seconds,
    ...extra,
  });
  await saveModel(tripletProgram, `${args.out}/model`, {
    // The run folder is ours: a rerun or --resume replaces the model saved there.
    overwrite: true,
    seed: args.seed,
    // The network described by the model value itself: its stages.
    spec: { model: tripletModel, loss: { name: tripletLoss.name, margin } },
    normalisation: "l2",
    distance: "euclidean",
    threshold: tripletResult.verification.seenCalibrated["0.01"].threshold,
    extra: {
      example: NAME,
      seenClasses: seenNames,
      gallery: "../gallery.db",
      fingerprint: tripletResult.fingerprint,
    },
  });
  await saveModel(classifier, `${args.out}/classifier/model`, {
    // The run folder is ours: a rerun or --resume replaces the model saved there.
    overwrite: true,
    seed: args.seed,
    spec: {
      model: classifierModel,
      loss: { name: classifierLoss.name, head: classifierLoss.head ?? null },
    },
    normalisation: "none",
    distance: "euclidean",
    threshold: classifierResult.verification.seenCalibrated["0.01"].threshold,
    classNames: seenNames,
    extra: {
      example: NAME,
      gallery: "../gallery.db",
      fingerprint: classifierResult.fingerprint,
    },
  });

  const m = {
    example: NAME,
    backend,
    seed: args.seed,
    shots,
    batch: args.batch,
    embeddingSize: args.embedding,
    seenClasses: seenNames,
    unseenClasses: unseenNames,
    data: world.description,
    protocol: {
      identification:
        `each unseen-class probe ranked against the ${unseenNames.length} enrolled unseen identities ('all' templates: an identity's distance is the smallest over its ${shots} enrolled images); rank-${unseenNames.length} is 1 by construction`,
      verification:
        "each probe claims every enrolled identity (1 genuine, 4 impostor claims); tarAtFar is read from the ROC of these unseen-class claims",
      calibration:
        `seenCalibrated thresholds are chosen on the SEEN classes' test images (a gallery of ${shots} images per seen class, claims of the rest) at the target FAR, then applied to the unseen-class claims (accepted when the distance is at most the threshold, as gallery.verify decides)`,
    },
    gallery: "gallery.db",
    triplet: modelBlock(tripletProgram as Program<LossInput>, tripletTrained, tripletResult, {
      model: "model",
      batch: args.batch,
    }),
    classifier: modelBlock(
      classifier as Program<LossInput>,
      classifierTrained,
      classifierResult,
      {
        model: "classifier/model",
        batch: classifierBatch,
        gallery: "classifier/gallery.db",
        seenAccuracy: seenCorrect / world.seenTest.size,
        unseen: {
          accuracy: 0,
          predictedAsSeen: inSeen / world.probes.size,
          predictions,
        },
      },
    ),
  };
  await writeTextAtomic(`${args.out}/metrics.json`, JSON.stringify(m, null, 2) + "\n");

  // The table for the terminal, the report and the README.
  const row = (label: string, r: ProtocolResult) => {
    const c = r.verification.seenCalibrated;
    return [
      label,
      r.identification.rank1,
      r.identification.rank2,
      r.verification.tarAtFar["0.01"],
      r.verification.tarAtFar["0.001"],
      c["0.01"].genuineAcceptRate,
      c["0.01"].impostorAcceptRate,
      c["0.001"].genuineAcceptRate,
      c["0.001"].impostorAcceptRate,
    ];
  };
  const columns = [
    "embedding",
    "rank-1",
    "rank-2",
    "TAR@FAR=0.01",
    "TAR@FAR=0.001",
    "genuine accepted (seen thr. FAR 0.01)",
    "impostors accepted (seen thr. FAR 0.01)",
    "genuine accepted (seen thr. FAR 0.001)",
    "impostors accepted (seen thr. FAR 0.001)",
  ];
  const rows = [
    row("triplet (L2, 32-d)", tripletResult),
    row("classifier penultimate (32-d)", classifierResult),
  ];
  const fmt = (v: string | number) => (typeof v === "number" ? v.toFixed(3) : v);
  const markdown = [
    `| ${columns.join(" | ")} |`,
    `|${columns.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(fmt).join(" | ")} |`),
  ].join("\n");

  const figures: report.ReportFigure[] = [];
  const attempt = (title: string, make: () => Omit<report.ReportFigure, "title">) => {
    try {
      figures.push({ title, ...make() });
    } catch (error) {
      console.error(`report: skipped "${title}": ${(error as Error).message}`);
    }
  };
  attempt("Training loss", () => ({
    spec: report.lossPlot({
      triplet: tripletTrained.history.loss.map((loss, i) => ({ step: i + 1, loss })),
      classifier: classifierTrained.history.loss.map((loss, i) => ({ step: i + 1, loss })),
    }, { title: "loss per step (seen classes)" }),
  }));
  attempt("Unseen classes: CMC against the enrolled gallery", () => ({
    spec: report.cmcPlot({
      triplet: tripletResult.identification.cmc,
      classifier: classifierResult.identification.cmc,
    }, { maxRank: unseenNames.length }),
    caption: `Rank-k identification of ${world.probes.size} unseen-class probes against ${
      unseenNames.length * shots
    } enrolled images (${shots} per class).`,
  }));
  attempt("Unseen classes: ROC of identity claims", () => {
    // The ROC the protocol computed its AUC and TAR@FAR from.
    const points = ({ roc }: ProtocolResult) => roc.far.map((far, i) => ({ far, tar: roc.tar[i] }));
    return {
      spec: report.rocPlot({
        triplet: points(tripletResult),
        classifier: points(classifierResult),
      }, { logX: true }),
      caption: "Every probe claims every enrolled identity: 1 genuine and 4 impostor claims.",
    };
  });
  attempt("Unseen classes: genuine and impostor claim distances (triplet)", () => {
    const h = metrics.distanceHistogram(
      [...tripletResult.unseen.genuine, ...tripletResult.unseen.impostor],
      [...tripletResult.unseen.genuine.map(() => 1), ...tripletResult.unseen.impostor.map(() => 0)],
      { bins: 40 },
    );
    return {
      spec: report.histogramPlot({
        edges: h.edges,
        matched: h.same.counts,
        mismatched: h.different.counts,
      }, { normalize: true, xTitle: "distance to the claimed identity" }),
      caption: `Threshold calibrated on the seen classes at FAR 0.01: ${
        tripletResult.verification.seenCalibrated["0.01"].threshold.toFixed(3)
      }.`,
    };
  });
  attempt("Unseen-class probes, triplet embedding", () => {
    const map = args.quick
      ? report.pca(tripletResult.probeEmbeddings, tripletResult.dim, { seed: args.seed })
      : report.tsne(tripletResult.probeEmbeddings, tripletResult.dim, {
        seed: args.seed,
        maxPoints: 1000,
      });
    return {
      spec: report.mapPlot(map, {
        labels: world.probes.labels,
        classNames: world.probes.classNames,
      }),
      caption: "Classes the model never saw in training.",
    };
  });
  attempt("Enrolled images closest to a few unseen-class probes (triplet)", () => {
    const enrolled = subset(world.enrolPool, tripletResult.enrolled);
    const per = world.probes.shape.reduce((a, b) => a * b, 1);
    const images = new Float32Array((world.probes.size + enrolled.size) * per);
    images.set(world.probes.images);
    images.set(enrolled.images, world.probes.size * per);
    const labels = new Int32Array(world.probes.size + enrolled.size);
    labels.set(world.probes.labels);
    labels.set(enrolled.labels, world.probes.size);
    return {
      svg: report.rankingGallery({
        images,
        labels,
        shape: world.probes.shape,
        size: labels.length,
        classNames: world.probes.classNames,
      }, tripletResult.similar),
      caption: "gallery.similar(): content-based retrieval among the enrolled samples.",
    };
  });

  const t = tripletResult, c = classifierResult;
  try {
    await report.writeReport(args.out, {
      title: `likeness — ${NAME}: the open world`,
      info: {
        example: NAME,
        backend,
        "seen classes (trained on)": seenNames.join(", "),
        "unseen classes (enrolled)": unseenNames.join(", "),
        "shots per unseen class": shots,
        "train data": world.description.seenTrain,
        "calibration data": world.description.seenTest,
        "enrolled": world.description.enrol,
        "probes": world.description.probes,
        "triplet steps": tripletTrained.history.steps,
        "classifier steps": classifierTrained.history.steps,
        "threshold calibration":
          "on the seen classes' test images, same gallery protocol, then applied to unseen classes",
      },
      metrics: {
        "triplet rank-1 (unseen)": t.identification.rank1,
        "triplet rank-2 (unseen)": t.identification.rank2,
        "triplet TAR@FAR=0.01 (unseen)": t.verification.tarAtFar["0.01"],
        "triplet TAR@FAR=0.001 (unseen)": t.verification.tarAtFar["0.001"],
        "classifier-embedding rank-1 (unseen)": c.identification.rank1,
        "classifier-embedding TAR@FAR=0.01 (unseen)": c.verification.tarAtFar["0.01"],
        "classifier accuracy (seen test)": seenCorrect / world.seenTest.size,
        "classifier accuracy (unseen)": 0,
        "classifier predictions on unseen images that are a seen label": inSeen /
          world.probes.size,
      },
      tables: [
        {
          caption:
            "Unseen classes, enrolled from a few shots (thresholds calibrated on the seen classes)",
          columns,
          rows,
        },
        {
          caption: "The classifier's predictions on unseen-class images: every one is a seen label",
          columns: ["unseen class", ...seenNames],
          rows: unseenNames.map((u) => [u, ...seenNames.map((s) => predictions[u][s])]),
        },
      ],
      figures,
      links: [
        { text: "metrics.json", href: "metrics.json" },
        { text: "triplet model (tfjs)", href: "model/model.json" },
        { text: "classifier model (tfjs)", href: "classifier/model/model.json" },
        { text: "gallery (SQLite)", href: "gallery.db" },
      ],
    });
  } catch (error) {
    console.error(`report: not written: ${(error as Error).message}`);
  }

  console.log(
    [
      `${NAME} → ${args.out}`,
      `  seen (trained): ${seenNames.join(", ")}`,
      `  unseen (enrolled, ${shots} shots each): ${unseenNames.join(", ")}`,
      `  triplet: ${tripletTrained.history.steps} steps in ${
        Math.round(tripletTrained.seconds)
      } s; classifier: ${classifierTrained.history.steps} steps in ${
        Math.round(classifierTrained.seconds)
      } s`,
      `  classifier: seen-class test accuracy ${(seenCorrect / world.seenTest.size).toFixed(3)}; ` +
      `unseen-class images predicted as a seen label ${(inSeen / world.probes.size).toFixed(3)} ` +
      `(accuracy on unseen classes 0 by construction)`,
      "",
      markdown,
    ].join("\n"),
  );
  tripletProgram.dispose();
  classifier.dispose();
}
