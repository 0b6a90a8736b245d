// The interactive report in a real browser: one self-contained HTML file, opened from
// file:// in headless Chromium (Debian's chromium package, driven by puppeteer-core).
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { Page } from "puppeteer-core";
import { interactive } from "../../lib/report/interactive.ts";
import { evaluate } from "../../lib/embedder/mod.ts";
import { makeDataset } from "../../lib/data/make_dataset.ts";
import { euclidean } from "../../lib/distances/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import {
  activation,
  conv2d,
  dense,
  dropout,
  empty,
  flatten,
  triplet,
} from "../../lib/branches/mod.ts";
import type { Dataset } from "../../lib/types.ts";
import { missing } from "../_require.ts";
import { chromiumMissing, launchChromium } from "../browser/_chromium.ts";

await tf.setBackend("cpu");

const HOSTILE = `</script><img src=x onerror="window.pwned=1">"&'`;

/** `perClass` 8×8 images of each of `classes` classes (a bright block per class, seeded noise). */
function dataset(perClass: number, classes = 8): Dataset {
  const side = 8;
  let state = 12345;
  const rand = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const n = classes * perClass;
  const images = new Float32Array(n * side * side);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % classes;
    labels.push(c);
    for (let p = 0; p < side * side; p++) {
      const [y, x] = [Math.floor(p / side), p % side];
      const on = (Math.floor(y / 4) * 4 + Math.floor(x / 2)) === c % 8 || (c >= 8 && p === c % 64);
      images[i * side * side + p] = Math.min(1, (on ? 0.8 : 0.05) + 0.35 * rand());
    }
  }
  const classNames = [
    "T-shirt",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    HOSTILE,
  ];
  for (let c = 8; c < classes; c++) classNames.push(`class ${c}`);
  return makeDataset({ images, labels, shape: [side, side, 1], classNames });
}

/** A fixed random projection of the 64 pixels to 6 dimensions. */
function embedderFor() {
  let state = 99;
  const rand = () => ((state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff) - 0.5;
  const kernel = tf.tensor2d(Array.from({ length: 64 * 6 }, rand), [64, 6]);
  const network = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [8, 8, 1] }),
      tf.layers.dense({ units: 6, useBias: false, weights: [kernel] }),
    ],
  });
  kernel.dispose();
  return {
    network,
    inputShape: [8, 8, 1],
    embeddingSize: 6,
    normalisation: "none",
    distance: euclidean,
    fingerprint: "ab".repeat(32),
    threshold: 1.5,
    provenance: {
      kind: "triplet",
      loss: "tripletMargin",
      seed: 3,
      steps: 120,
      spec: {
        model: triplet(
          pipe(empty, conv2d(4), conv2d(4), activation("relu"), dropout(0.1), flatten(), dense(6)),
        ),
        loss: { name: "tripletMargin", margin: 1 },
      },
    },
  };
}

async function evaluated(perClass: number, classes = 8) {
  const embedder = embedderFor();
  const evaluation = await evaluate(embedder, dataset(perClass, classes), { seed: 3 });
  return { embedder, evaluation };
}

Deno.test("interactive: a stated sample of at most maxPoints items, each with its thumbnail; configuration filled from the embedder", async () => {
  const { embedder, evaluation } = await evaluated(40);
  const report = await interactive(evaluation, {
    map: "pca",
    maxPoints: 100,
    config: { batch: 32, learningRate: 0.001, backend: "cpu" },
    date: "2026-12-01T00:00:00.000Z",
  });
  assert.equal(report.total, 320);
  assert.equal(report.points, 100);
  assert.ok(report.html.includes("100 of 320 test items, sampled uniformly (seed 3)"));
  const json =
    report.html.match(/<script type="application\/json" id="likeness-data">(.*?)<\/script>/s)![1];
  const data = JSON.parse(json);
  assert.equal(data.sample.row.length, 100);
  assert.equal(new Set(data.sample.row).size, 100);
  for (const row of data.sample.row) assert.match(data.thumbs[row], /^data:image\/png;base64,/);
  const config = Object.fromEntries(data.config);
  assert.equal(config.seed, "3");
  assert.equal(config.steps, "120");
  assert.equal(config.loss, "tripletMargin");
  assert.equal(config.margin, "1");
  assert.equal(config.weights, "384");
  // the backbone as its stages, repeats folded
  assert.equal(config.backbone, "conv2d 4 ×2 → activation relu → dropout 0.1 → flatten → dense 6");
  assert.equal(config.batch, "32");
  assert.equal(config["learning rate"], "0.001");
  assert.equal(config.backend, "cpu");
  assert.match(config.version, /^@likeness\/likeness \d+\.\d+\.\d+/);
  assert.equal(config.date, "2026-12-01T00:00:00.000Z");
  // the saved threshold's rates are the ROC's exact ones at d ≤ 1.5
  const roc = evaluation.curves.roc;
  const at = roc.thresholds.findLastIndex((t) => t <= 1.5);
  assert.ok(Math.abs(data.roc.saved.far - roc.far[at]) < 1e-6);
  assert.ok(Math.abs(data.roc.saved.tar - roc.tar[at]) < 1e-6);
  // the confusion matrix's diagonal is rank-1 identification
  const counts: number[][] = data.confusion.counts;
  const right = counts.reduce((s, row, i) => s + row[i], 0);
  const all = counts.flat().reduce((a, b) => a + b, 0);
  assert.equal(all, 320 - 8);
  assert.ok(Math.abs(right / all - evaluation.identification.rank1) < 1e-9);
  // CMC chance with one gallery item per class of 8: k / 8
  assert.deepEqual(data.cmc.chance.slice(0, 3), [0.125, 0.25, 0.375]);
  // gallery: random queries cover every class; one worst query per class
  assert.equal(new Set(data.gallery.random.map((q: { label: number }) => q.label)).size, 8);
  assert.equal(data.gallery.worst.length, 8);
  // the hostile class name never appears as markup
  assert.ok(!report.html.includes("<img src=x"));
  embedder.network.dispose();
});

Deno.test("interactive: with 60 classes the confusion view lists the most frequent confusions and at most 24 worst queries are shown", async () => {
  const { embedder, evaluation } = await evaluated(4, 60);
  const report = await interactive(evaluation, { map: "pca" });
  const json =
    report.html.match(/<script type="application\/json" id="likeness-data">(.*?)<\/script>/s)![1];
  const data = JSON.parse(json);
  assert.deepEqual(data.confusion.labels, []);
  assert.deepEqual(data.confusion.counts, []);
  assert.ok(data.confusion.top.length > 0 && data.confusion.top.length <= 60);
  const wrong = data.confusion.top.reduce((s: number, t: number[]) => s + t[2], 0);
  assert.ok(wrong <= data.confusion.probes - data.confusion.right);
  assert.equal(data.confusion.probes, 240 - 60);
  assert.ok(
    Math.abs(data.confusion.right / data.confusion.probes - evaluation.identification.rank1) < 1e-9,
  );
  assert.equal(data.gallery.worst.length, 24);
  embedder.network.dispose();
});

Deno.test("interactive: the identification split is the evaluation's (galleryPerClass found from its probe count)", async () => {
  const embedder = embedderFor();
  const evaluation = await evaluate(embedder, dataset(10), { seed: 3, galleryPerClass: 2 });
  const report = await interactive(evaluation, { map: "pca" });
  const json =
    report.html.match(/<script type="application\/json" id="likeness-data">(.*?)<\/script>/s)![1];
  const data = JSON.parse(json);
  assert.equal(data.confusion.galleryPerClass, 2);
  assert.equal(data.confusion.probes, 80 - 16);
  assert.equal(data.cmc.galleryRows, 16);
  const right = data.confusion.counts.reduce(
    (s: number, row: number[], i: number) => s + row[i],
    0,
  );
  assert.ok(Math.abs(right / data.confusion.probes - evaluation.identification.rank1) < 1e-9);
  await assert.rejects(
    interactive(evaluation, { map: "pca", galleryPerClass: 1 }),
    /options\.galleryPerClass must be the evaluation's \(2, from its CMC's probe count\): current value is 1/,
  );
  embedder.network.dispose();
});

Deno.test("interactive: bad options are errors naming the option; write refuses a file that is not a report", async () => {
  const { embedder, evaluation } = await evaluated(5);
  await assert.rejects(
    interactive(evaluation, { maxPoints: 0 }),
    /options\.maxPoints must be an integer ≥ 1: current value is 0/,
  );
  await assert.rejects(
    interactive(evaluation, { map: "mds" as "pca" }),
    /options\.map must be "tsne", "pca" or "umap": current value is "mds"/,
  );
  await assert.rejects(
    interactive(evaluation, { threshold: NaN }),
    /threshold must be a finite number: current value is NaN/,
  );
  await assert.rejects(
    interactive({ verification: {} } as unknown as Parameters<typeof interactive>[0]),
    /evaluation must be what evaluate\(embedder, dataset\) returned: current value is an object with keys verification/,
  );
  const report = await interactive(evaluation, { map: "pca" });
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/notes.html`, "<p>mine</p>");
    await assert.rejects(
      report.write(`${dir}/notes.html`),
      /notes\.html" as that file is not a likeness page/,
    );
    assert.equal(await Deno.readTextFile(`${dir}/notes.html`), "<p>mine</p>");
    await report.write(`${dir}/report.html`);
    await report.write(`${dir}/report.html`); // its own page is replaced
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["notes.html", "report.html"], "no temp file left");
  } finally {
    await Deno.remove(dir, { recursive: true });
    embedder.network.dispose();
  }
});

/** Evaluates `code` (an expression, run in the page: DOM types are not Deno's). */
async function inPage<T>(page: Page, code: string): Promise<T> {
  return await page.evaluate(code) as T;
}

/** Size, pixel variance and colour count of a PNG screenshot, decoded by the page itself. */
async function pixelStats(page: Page, png: string) {
  return await inPage<{ width: number; height: number; variance: number; colours: number }>(
    page,
    `(async () => {
    const img = new Image();
    img.src = "data:image/png;base64,${png}";
    await img.decode();
    const c = document.createElement("canvas");
    c.width = img.width;
    c.height = img.height;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    let sum = 0, sq = 0;
    const colours = new Set();
    const n = px.length / 4;
    for (let i = 0; i < px.length; i += 4) {
      const v = (px[i] + px[i + 1] + px[i + 2]) / 3;
      sum += v;
      sq += v * v;
      if (colours.size < 1000) colours.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    }
    const mean = sum / n;
    return { width: c.width, height: c.height, variance: sq / n - mean * mean, colours: colours.size };
  })()`,
  );
}

Deno.test({
  name:
    "interactive report in headless Chromium from file://: no console errors, one point per item, hover shows thumbnail, label and neighbours, log-FAR ROC with EER and threshold, screenshots not blank",
  ignore: missing("chromium", chromiumMissing()),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { embedder, evaluation } = await evaluated(30);
    const report = await interactive(evaluation, {
      map: "tsne",
      history: { loss: Array.from({ length: 120 }, (_, i) => 1 / (1 + i / 10)) },
      config: { batch: 32, backend: "cpu" },
    });
    assert.equal(report.points, 240, "all 240 items are mapped");
    const dir = await Deno.makeTempDir({ prefix: "likeness-interactive-" });
    const shots = Deno.env.get("LIKENESS_SCREENSHOTS") ?? dir;
    const path = await report.write(`${dir}/interactive.html`);
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warn") {
          problems.push(`console ${m.type()}: ${m.text()}`);
        }
      });
      page.on("pageerror", (e) => problems.push(`page: ${String(e)}`));
      page.on("requestfailed", (r) => problems.push(`request: ${r.url()}`));
      const requests: string[] = [];
      page.on("request", (r) => requests.push(r.url()));
      await page.goto(new URL(`file://${path}`).href, { waitUntil: "load" });
      await page.waitForFunction(
        () =>
          (globalThis as { likenessReport?: { ready: boolean } }).likenessReport?.ready === true,
        { timeout: 10_000 },
      );
      assert.deepEqual(problems, [], "the page loads without errors");
      // nothing but the file itself (and inline data: images) is fetched
      assert.deepEqual(requests.filter((u) => !u.startsWith("data:")), [
        new URL(`file://${path}`).href,
      ]);
      assert.equal(await page.evaluate(() => (globalThis as { pwned?: number }).pwned), undefined);

      // the projector: one point per embedded item
      assert.equal(await page.$eval("#map", (c) => c.getAttribute("data-points")), "240");
      assert.equal(
        await page.evaluate(() =>
          (globalThis as unknown as { likenessReport: { points: number } }).likenessReport.points
        ),
        240,
      );
      // the legend lists all 8 classes, the hostile name as text
      const legend = await page.$$eval("#legend button", (bs) => bs.map((b) => b.textContent));
      assert.equal(legend.length, 8);
      assert.ok(legend.some((t) => t?.startsWith(HOSTILE)), legend.join("|"));

      // hover point 17: the info panel shows its thumbnail, label and neighbours
      type Hooks = {
        likenessReport: {
          screenOf(i: number): { x: number; y: number };
          canvasOf(i: number): { x: number; y: number };
          rowOf(i: number): number;
          labelOf(i: number): string;
          neighboursOf(i: number): number[];
        };
      };
      const target = 17;
      const at = await page.evaluate(
        (i) => (globalThis as unknown as Hooks).likenessReport.screenOf(i),
        target,
      );
      await page.$eval("#map", (c) => c.scrollIntoView());
      const again = await page.evaluate(
        (i) => (globalThis as unknown as Hooks).likenessReport.screenOf(i),
        target,
      );
      await page.mouse.move(again.x, again.y);
      const shown = await inPage<{
        row: string | null;
        thumb: string;
        thumbLoaded: number;
        label: string;
        neighbours: number;
        neighbourImages: string[];
      }>(
        page,
        `({
        row: document.getElementById("info").getAttribute("data-row"),
        thumb: document.getElementById("info-thumb")?.src ?? "",
        thumbLoaded: document.getElementById("info-thumb")?.naturalWidth ?? 0,
        label: document.getElementById("info-label")?.textContent ?? "",
        neighbours: document.querySelectorAll("#info-neighbours .nb").length,
        neighbourImages: [...document.querySelectorAll("#info-neighbours img")].map((i) => i.src.slice(0, 22)),
      })`,
      );
      const expected = await page.evaluate((i) => {
        const r = (globalThis as unknown as Hooks).likenessReport;
        return { row: r.rowOf(i), label: r.labelOf(i) };
      }, target);
      assert.ok(at.x > 0 || at.y !== 0);
      // the hovered point is the one under the mouse (or one drawn on the same pixel)
      const hoveredRow = Number(shown.row);
      const pointOfRow = await page.evaluate((row) => {
        const r = (globalThis as unknown as Hooks).likenessReport;
        for (let i = 0; i < 240; i++) if (r.rowOf(i) === row) return r.screenOf(i);
        return null;
      }, hoveredRow);
      assert.ok(
        pointOfRow !== null && Math.hypot(pointOfRow.x - again.x, pointOfRow.y - again.y) < 1,
        `hovered row ${hoveredRow}, wanted ${expected.row}`,
      );
      assert.match(shown.thumb, /^data:image\/png;base64,/);
      assert.equal(shown.thumbLoaded, 8, "the 8×8 thumbnail decoded");
      if (hoveredRow === expected.row) assert.equal(shown.label, expected.label);
      assert.ok(shown.label.length > 0);
      assert.equal(shown.neighbours, 5);
      assert.ok(shown.neighbourImages.every((s) => s === "data:image/png;base64,"));

      // zoom with the wheel moves the points; reset puts them back
      const before = await page.evaluate(
        (i) => (globalThis as unknown as Hooks).likenessReport.canvasOf(i),
        3,
      );
      await page.mouse.move(again.x, again.y);
      await page.mouse.wheel({ deltaY: -400 });
      const zoomed = await page.evaluate(
        (i) => (globalThis as unknown as Hooks).likenessReport.canvasOf(i),
        3,
      );
      assert.ok(Math.hypot(zoomed.x - before.x, zoomed.y - before.y) > 1, "the wheel zooms");
      await page.click("#zoom-reset");
      const reset = await page.evaluate(
        (i) => (globalThis as unknown as Hooks).likenessReport.canvasOf(i),
        3,
      );
      assert.ok(Math.hypot(reset.x - before.x, reset.y - before.y) < 0.5);

      // ROC: a log-scale FAR axis with decade ticks, the EER point and the saved threshold
      assert.equal(await page.$eval("#roc-x-axis", (g) => g.getAttribute("data-scale")), "log");
      const ticks = await page.$$eval(
        "#roc-x-axis text.tick",
        (ts) => ts.map((t) => t.textContent),
      );
      assert.ok(
        ticks.includes("0.01") && ticks.includes("0.1") && ticks.includes("1"),
        ticks.join(),
      );
      assert.ok(await page.$("#roc-eer circle"));
      assert.ok(await page.$("#roc-threshold path"));
      assert.match(
        await page.$eval("#roc-threshold", (g) => g.textContent ?? ""),
        /saved threshold 1\.5/,
      );
      // histograms: the threshold line and the rates it gives
      assert.ok(await page.$("#hist-threshold"));
      assert.match(
        await page.$eval("#rates", (p) => p.textContent ?? ""),
        /same-class pairs accepted [\d.]+ % \(rejected [\d.]+ %\), different-class pairs accepted/,
      );
      // CMC with chance; galleries; confusion; configuration; a sentence under each metric
      assert.ok(await page.$("#cmc-chance"));
      assert.equal(await page.$$eval("#gallery-worst .row", (r) => r.length), 8);
      assert.equal(await page.$$eval("#confusion-table tr", (r) => r.length), 9);
      const metricSentences = await page.$$eval(
        "#metric-cards .card .means",
        (ps) => ps.map((p) => p.textContent ?? ""),
      );
      assert.equal(metricSentences.length, 10);
      assert.ok(metricSentences.every((t) => t.length > 40));
      const config = await page.$$eval(
        "#config-table td:first-child",
        (tds) => tds.map((t) => t.textContent),
      );
      for (
        const key of [
          "seed",
          "batch",
          "steps",
          "learning rate",
          "loss",
          "margin",
          "backbone",
          "weights",
          "backend",
          "version",
          "date",
        ]
      ) {
        assert.ok(config.includes(key), `configuration has ${key}`);
      }

      // screenshots: the projector and the ROC are drawn (not blank)
      await page.mouse.move(again.x, again.y);
      for (
        const [id, minColours] of [["projector", 8], ["roc", 3], ["hist", 3], [
          "gallery",
          8,
        ]] as const
      ) {
        const element = (await page.$(`#${id}`))!;
        await element.scrollIntoView();
        const png = await element.screenshot({ encoding: "base64" }) as string;
        await Deno.writeFile(
          `${shots}/interactive-${id}.png`,
          Uint8Array.from(atob(png), (c) => c.charCodeAt(0)),
        );
        const stats = await pixelStats(page, png);
        assert.ok(stats.width > 200 && stats.height > 150, `${id}: ${stats.width}×${stats.height}`);
        assert.ok(stats.variance > 50, `${id} has content: pixel variance ${stats.variance}`);
        assert.ok(stats.colours >= minColours, `${id}: ${stats.colours} colours`);
      }
      assert.deepEqual(problems, []);

      // 60 classes: the confusion view is a list of the most frequent confusions
      const many = await evaluated(4, 60);
      const manyPath = await (await interactive(many.evaluation, { map: "pca" })).write(
        `${dir}/many.html`,
      );
      many.embedder.network.dispose();
      await page.goto(new URL(`file://${manyPath}`).href, { waitUntil: "load" });
      await page.waitForFunction(
        () =>
          (globalThis as { likenessReport?: { ready: boolean } }).likenessReport?.ready === true,
        { timeout: 10_000 },
      );
      assert.equal(await page.$("#confusion-table"), null);
      assert.ok((await page.$$eval("#confusion-top tr", (r) => r.length)) > 1);
      assert.equal(await page.$eval("#map", (c) => c.getAttribute("data-points")), "240");
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await Deno.remove(dir, { recursive: true });
      embedder.network.dispose();
    }
  },
});
