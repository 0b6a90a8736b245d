#!/usr/bin/env -S deno run --allow-read --allow-write=runs --allow-ffi
/**
 * The open world: enrol classes never seen in training, without retraining.
 *
 *     deno run --allow-read --allow-write=runs --allow-ffi examples/enrol.ts
 *
 * Permissions: `--allow-read` (the data, the gallery file), `--allow-write=runs` (the run
 * folder with its SQLite gallery; widen it with `--out`) and `--allow-ffi` (the faster
 * `native` backend where Debian's libdnnl2 and libopenblas0 are installed; without it, wasm).
 * `node:sqlite` needs no further permission. `--allow-env` and `--allow-net` as in
 * examples/triplet.ts. `--quick` uses only the bundled sample.
 *
 * Fashion-MNIST's ten classes are split, seeded, into 5 seen and 5 unseen classes. The
 * lecture's network `pipe(vgg(), embedding(32))`, L2-normalised, is trained with the triplet
 * margin loss on the seen classes only. Then `--shots` images of each unseen class are
 * embedded and enrolled into a persistent gallery (`<out>/gallery.db`, bound to the model's
 * weight fingerprint), and every other unseen-class test image is identified (ranked against
 * the 5 enrolled identities) and verified (claims each identity in turn; the threshold is
 * calibrated on the SEEN classes, as a deployed system must). The protocol is the library's
 * `protocols.openSetEvaluation`. Beside it, a softmax classifier with the same network, trained
 * on the same 5 classes, cannot name the new classes (every unseen image gets a seen label);
 * its 32-d penultimate layer goes through the same protocol.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import { pipe } from "../lib/pipe.ts";
import { useBackend } from "../lib/backend/mod.ts";
import { vgg } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, labelled, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import * as data from "../lib/data/mod.ts";
import { euclidean } from "../lib/distances/mod.ts";
import { embed, type Embedder, embedderOf, saveEmbedder } from "../lib/embedder/mod.ts";
import { removeGallery, sqliteStore } from "../lib/gallery/mod.ts";
import { softmaxCrossEntropy, tripletMargin } from "../lib/losses/mod.ts";
import { distanceHistogram } from "../lib/metrics/mod.ts";
import * as report from "../lib/report/mod.ts";
import { openSetEvaluation, pickShots } from "../lib/protocols/mod.ts";
import { batch, pk, repeat, seeded, triplets } from "../lib/samplers/mod.ts";
import { fitToEnd } from "../lib/train/mod.ts";
import type { Dataset, Tensor2D } from "../lib/types.ts";
import { fitOptions, parseExampleArgs } from "./_common.ts";

const NAME = "enrol", FARS = [0.01, 0.001];
const args = parseExampleArgs({
  name: NAME,
  summary:
    "train on 5 Fashion-MNIST classes, enrol the 5 unseen ones from a few shots, identify and verify them",
  permissions: "--allow-read --allow-write=runs --allow-ffi",
  defaults: { epochs: 1, batch: 32, embedding: 32, lr: 1e-3, quickEpochs: 8 },
  integers: { shots: { fallback: 5, min: 1, help: "images enrolled per unseen class" } },
  notes: [
    "With --quick, 8 epochs over the sample's 300 seen-class training images unless --epochs",
    "is given. Both models (triplet embedding, softmax classifier) train with the same",
    "--epochs, --steps, --lr and --seed; a triplet step takes --batch triplets, a classifier",
    "step 2 × --batch images. Also writes <out>/gallery.db (the unseen classes enrolled through",
    "the triplet model) and <out>/classifier/ (its model and gallery).",
  ],
});

if (args) {
  const backend = (await useBackend(args.backend)).name, { seed } = args;
  const shots = args.integers.shots;
  // Seen classes to train on and calibrate with; unseen classes to enrol and probe.
  const source = await data.fashionMnist({ split: args.quick ? "sample" : "train" });
  const split = data.classDisjointSplit(source, { unseenCount: 5, seed });
  const { seenClasses, unseenClasses } = split;
  const quick = args.quick
    ? data.stratifiedSplit(split.seen, { validationFraction: 0.4, seed })
    : undefined;
  const test = quick ? undefined : await data.fashionMnist({ split: "test" });
  const seenTrain = quick?.train ?? split.seen;
  const seenTest = quick?.validation ?? data.filterClasses(test!, seenClasses);
  const what = args.quick ? "the bundled sample's unseen classes (--shots)" : "--shots";
  const pick = pickShots(split.unseen.labels, unseenClasses, shots, seed, { what });
  const enrolPool = data.subset(split.unseen, pick.picked); // the protocol's own seeded pick
  const probes = quick
    ? data.subset(split.unseen, pick.rest)
    : data.filterClasses(test!, unseenClasses);
  const where = args.quick ? "bundled sample" : "Fashion-MNIST";
  const description = {
    seenTrain: `${where}, seen classes: ${seenTrain.size} images`,
    seenTest: `${where}, seen classes: ${seenTest.size} held-out images`,
    enrol: `${where}, unseen classes: ${shots} per class (seed ${seed})`,
    probes: `${where}, unseen classes: ${probes.size} other images`,
  };
  const names = (cs: readonly number[]) => cs.map((c) => source.classNames[c]);
  const [seenNames, unseenNames] = [names(seenClasses), names(unseenClasses)];
  console.error(
    `${NAME}: seen ${seenNames.join(", ")}; unseen ${
      unseenNames.join(", ")
    } → ${args.out} (backend ${backend})`,
  );

  // The two models, trained on the seen classes alike.
  const common = { inputShape: seenTrain.shape, learningRate: args.lr, seed };
  const tripletModel = triplet(pipe(vgg(), embedding(args.embedding), l2Normalize()));
  const tripletProgram = compile({
    model: tripletModel,
    loss: tripletMargin({ margin: 1 }),
    ...common,
  });
  const tripletBatches = pipe(triplets(seenTrain), repeat(), batch(args.batch), seeded(seed));
  const tripletFit = fitOptions(args, { train: seenTrain });
  console.error(`${NAME}: training the triplet embedding…`);
  const tripletHistory = await fitToEnd(
    tripletProgram,
    data.tensorBatches(seenTrain)(tripletBatches),
    tripletFit,
  );
  // The classifier: labels renumbered 0…4 for a 5-way head; 2 × --batch images per step.
  const labels = Int32Array.from(seenTrain.labels, (l) => seenClasses.indexOf(l));
  const seenTrain5 = { ...seenTrain, labels, classNames: seenNames };
  const classes = seenClasses.length, classifierBatch = 2 * args.batch;
  const classifierModel = labelled(pipe(vgg(), embedding(args.embedding)));
  const classifier = compile({
    model: classifierModel,
    loss: softmaxCrossEntropy({ classes }),
    ...common,
  });
  const classifierArgs = { ...args, batch: classifierBatch, out: `${args.out}/classifier` };
  const classifierFit = fitOptions(classifierArgs, { train: seenTrain5 });
  const classifierBatches = pipe(
    pk(seenTrain5, { p: classes, k: Math.ceil(classifierBatch / classes) }),
    repeat(),
    seeded(seed),
  );
  console.error(`${NAME}: training the classifier…`);
  const classifierHistory = await fitToEnd(
    classifier,
    data.tensorBatches(seenTrain5)(classifierBatches),
    classifierFit,
  );
  const tripletEmbedder = embedderOf(tripletProgram, {
    model: tripletModel,
    loss: { margin: 1 },
    seed,
    history: tripletHistory,
  });
  const classifierEmbedder = embedderOf(classifier, {
    model: classifierModel,
    distance: euclidean,
    seed,
    history: classifierHistory,
    classNames: seenNames,
  });

  // The open-set protocol, the same for both; the unseen classes enrolled into a SQLite gallery.
  console.error(`${NAME}: enrolling the unseen classes and evaluating…`);
  const openSet = async (embedder: Embedder, galleryPath: string) => {
    const t0 = performance.now();
    const samples = async (d: Dataset) => ({
      labels: d.labels,
      embeddings: (await embed(embedder, d)).embeddings,
    });
    const [seen, enrol, probe] = [
      await samples(seenTest),
      await samples(enrolPool),
      await samples(probes),
    ];
    removeGallery(galleryPath); // a rerun replaces its own gallery; any other file is refused
    const { embeddingSize: dim, fingerprint, distance } = embedder;
    const store = sqliteStore(galleryPath, { dim, fingerprint, distance });
    try {
      const result = openSetEvaluation({
        dim,
        distance,
        shots,
        seed,
        fars: FARS,
        classNames: source.classNames,
        seen,
        unseen: { enrol, probes: probe },
        store,
      });
      return { ...result, fingerprint, dim, seconds: (performance.now() - t0) / 1000 };
    } finally {
      store.close();
    }
  };
  const t = await openSet(tripletEmbedder, `${args.out}/gallery.db`);
  const c = await openSet(classifierEmbedder, `${args.out}/classifier/gallery.db`);

  // Where the classifier puts the unseen classes, and how it does on the seen ones.
  const predict = async (d: Dataset) => {
    const { embeddings } = await embed(classifierEmbedder, d);
    const logits = tf.tidy(() =>
      tf.argMax(classifier.head!.predict(tf.tensor2d(embeddings, [d.size, c.dim])) as Tensor2D, 1)
    );
    const out = await logits.data() as Int32Array;
    logits.dispose();
    return out;
  };
  const [seenPredicted, unseenPredicted] = [await predict(seenTest), await predict(probes)];
  const seenAccuracy = seenPredicted.filter((p, i) =>
    seenClasses[p] === seenTest.labels[i]
  ).length / seenTest.size;
  const predictions = Object.fromEntries(
    unseenNames.map((u) => [u, Object.fromEntries(seenNames.map((s) => [s, 0]))]),
  );
  unseenPredicted.forEach((p, i) =>
    predictions[probes.classNames[probes.labels[i]]][seenNames[p]]++
  );
  const inSeen = unseenPredicted.filter((p) => p >= 0 && p < classes).length / probes.size;

  // Save both models (metadata carries the operating threshold and the gallery binding).
  const save = (e: Embedder, dir: string, r: typeof t, extra: Record<string, unknown>) =>
    saveEmbedder(e, dir, {
      overwrite: true,
      threshold: r.verification.seenCalibrated["0.01"].threshold,
      extra: { example: NAME, gallery: "../gallery.db", fingerprint: r.fingerprint, ...extra },
    });
  await save(tripletEmbedder, `${args.out}/model`, t, { seenClasses: seenNames });
  await save(classifierEmbedder, `${args.out}/classifier/model`, c, {});
  const block = (
    r: typeof t,
    h: typeof tripletHistory,
    perEpoch: number,
    loss: string,
    extra: Record<string, unknown>,
  ) => ({
    loss,
    embeddingSize: r.dim,
    steps: h.steps,
    epochs: Math.round((h.steps / perEpoch) * 1000) / 1000,
    imagesSeen: h.images,
    imagesPerSecond: h.imagesPerSecond,
    trainSeconds: h.elapsedMs / 1000,
    stopReason: h.stopReason,
    finalLoss: h.epochLoss.at(-1) ?? h.loss.at(-1) ?? null,
    fingerprint: r.fingerprint,
    identification: r.identification,
    verification: r.verification,
    claims: r.claims,
    evaluationSeconds: r.seconds,
    ...extra,
  });
  const m = {
    example: NAME,
    backend,
    seed,
    shots,
    batch: args.batch,
    embeddingSize: args.embedding,
    seenClasses: seenNames,
    unseenClasses: unseenNames,
    data: description,
    protocol: {
      identification:
        `each unseen-class probe ranked against the ${unseenNames.length} enrolled unseen identities ('all' templates: an identity's distance is the smallest over its ${shots} enrolled images); rank-${unseenNames.length} is 1 by construction`,
      verification:
        "each probe claims every enrolled identity (1 genuine, 4 impostor claims); tarAtFar is read from the ROC of these unseen-class claims",
      calibration:
        `seenCalibrated thresholds are chosen on the SEEN classes' test images (a gallery of ${shots} images per seen class, claims of the rest) at the target FAR, then applied to the unseen-class claims (accepted when the distance is at most the threshold, as gallery.verify decides)`,
    },
    gallery: "gallery.db",
    triplet: block(t, tripletHistory, tripletFit.stepsPerEpoch, tripletProgram.loss.name, {
      model: "model",
      batch: args.batch,
    }),
    classifier: block(c, classifierHistory, classifierFit.stepsPerEpoch, classifier.loss.name, {
      model: "classifier/model",
      batch: classifierBatch,
      gallery: "classifier/gallery.db",
      seenAccuracy,
      unseen: { accuracy: 0, predictedAsSeen: inSeen, predictions },
    }),
  };
  await Deno.writeTextFile(`${args.out}/metrics.json.tmp`, JSON.stringify(m, null, 2) + "\n");
  await Deno.rename(`${args.out}/metrics.json.tmp`, `${args.out}/metrics.json`);

  // The table for the terminal, the report and the README.
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
  const row = (label: string, { identification: i, verification: v }: typeof t) => {
    const [a, b] = [v.seenCalibrated["0.01"], v.seenCalibrated["0.001"]];
    return [
      label,
      i.rank1,
      i.rank2,
      v.tarAtFar["0.01"],
      v.tarAtFar["0.001"],
      a.genuineAcceptRate,
      a.impostorAcceptRate,
      b.genuineAcceptRate,
      b.impostorAcceptRate,
    ];
  };
  const rows = [row("triplet (L2, 32-d)", t), row("classifier penultimate (32-d)", c)];
  const fmt = (v: string | number) => (typeof v === "number" ? v.toFixed(3) : v);
  const markdown = [
    `| ${columns.join(" | ")} |`,
    `|${columns.map((_, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((r) => `| ${r.map(fmt).join(" | ")} |`),
  ].join("\n");

  // The report: figures from what the protocol computed.
  const figures: report.ReportFigure[] = [];
  const attempt = (title: string, make: () => Omit<report.ReportFigure, "title">) => {
    try {
      figures.push({ title, ...make() });
    } catch (error) {
      console.error(`report: skipped "${title}": ${(error as Error).message}`);
    }
  };
  const steps = (h: typeof tripletHistory) => h.loss.map((loss, i) => ({ step: i + 1, loss }));
  attempt(
    "Training loss",
    () => ({
      spec: report.lossPlot({
        triplet: steps(tripletHistory),
        classifier: steps(classifierHistory),
      }, { title: "loss per step (seen classes)" }),
    }),
  );
  attempt("Unseen classes: CMC against the enrolled gallery", () => ({
    spec: report.cmcPlot({ triplet: t.identification.cmc, classifier: c.identification.cmc }, {
      maxRank: unseenNames.length,
    }),
    caption: `Rank-k identification of ${probes.size} unseen-class probes against ${
      unseenNames.length * shots
    } enrolled images (${shots} per class).`,
  }));
  const points = ({ roc }: typeof t) => roc.far.map((far, i) => ({ far, tar: roc.tar[i] }));
  attempt("Unseen classes: ROC of identity claims", () => ({
    spec: report.rocPlot({ triplet: points(t), classifier: points(c) }, { logX: true }),
    caption: "Every probe claims every enrolled identity: 1 genuine and 4 impostor claims.",
  }));
  attempt("Unseen classes: genuine and impostor claim distances (triplet)", () => {
    const { genuine, impostor } = t.unseen;
    const h = distanceHistogram([...genuine, ...impostor], [
      ...genuine.map(() => 1),
      ...impostor.map(() => 0),
    ], { bins: 40 });
    return {
      spec: report.histogramPlot({
        edges: h.edges,
        matched: h.same.counts,
        mismatched: h.different.counts,
      }, { normalize: true, xTitle: "distance to the claimed identity" }),
      caption: `Threshold calibrated on the seen classes at FAR 0.01: ${
        t.verification.seenCalibrated["0.01"].threshold.toFixed(3)
      }.`,
    };
  });
  attempt("Unseen-class probes, triplet embedding", () => ({
    spec: report.mapPlot(
      args.quick
        ? report.pca(t.probeEmbeddings, t.dim, { seed })
        : report.tsne(t.probeEmbeddings, t.dim, { seed, maxPoints: 1000 }),
      { labels: probes.labels, classNames: probes.classNames },
    ),
    caption: "Classes the model never saw in training.",
  }));
  attempt("Enrolled images closest to a few unseen-class probes (triplet)", () => {
    // Content-based retrieval: image probes.size + j of the figure is enrolled image j.
    const similar = unseenClasses.flatMap((k) => {
      const query = probes.labels.indexOf(k);
      if (query < 0) return [];
      const q = t.probeEmbeddings.subarray(query * t.dim, (query + 1) * t.dim);
      const neighbours = t.enrolled.map((index, j) => ({
        index: probes.size + j,
        correct: enrolPool.labels[index] === k,
        distance: euclidean.host.pair(q, t.enrolEmbeddings.subarray(j * t.dim, (j + 1) * t.dim)),
      })).sort((a, b) => a.distance - b.distance).slice(0, shots);
      return [{ query, neighbours }];
    });
    const enrolled = data.subset(enrolPool, t.enrolled);
    const images = new Float32Array([...probes.images, ...enrolled.images]);
    const all = {
      images,
      labels: Int32Array.from([...probes.labels, ...enrolled.labels]),
      shape: probes.shape,
      size: probes.size + enrolled.size,
      classNames: probes.classNames,
    };
    return {
      svg: report.rankingGallery(all, similar),
      caption: "gallery.similar(): content-based retrieval among the enrolled samples.",
    };
  });
  try {
    await report.writeReport(args.out, {
      title: `likeness — ${NAME}: the open world`,
      info: {
        example: NAME,
        backend,
        "seen classes (trained on)": seenNames.join(", "),
        "unseen classes (enrolled)": unseenNames.join(", "),
        "shots per unseen class": shots,
        "train data": description.seenTrain,
        "calibration data": description.seenTest,
        enrolled: description.enrol,
        probes: description.probes,
        "triplet steps": tripletHistory.steps,
        "classifier steps": classifierHistory.steps,
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
        "classifier accuracy (seen test)": seenAccuracy,
        "classifier accuracy (unseen)": 0,
        "classifier predictions on unseen images that are a seen label": inSeen,
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
  console.log([
    `${NAME} → ${args.out}`,
    `  seen (trained): ${seenNames.join(", ")}`,
    `  unseen (enrolled, ${shots} shots each): ${unseenNames.join(", ")}`,
    `  triplet: ${tripletHistory.steps} steps in ${
      Math.round(tripletHistory.elapsedMs / 1000)
    } s; classifier: ${classifierHistory.steps} steps in ${
      Math.round(classifierHistory.elapsedMs / 1000)
    } s`,
    `  classifier: seen-class test accuracy ${
      seenAccuracy.toFixed(3)
    }; unseen-class images predicted as a seen label ${
      inSeen.toFixed(3)
    } (accuracy on unseen classes 0 by construction)`,
    "",
    markdown,
  ].join("\n"));
  tripletProgram.dispose();
  classifier.dispose();
}
