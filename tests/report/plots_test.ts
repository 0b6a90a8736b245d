import assert from "node:assert/strict";
import {
  cmcPlot,
  histogramPlot,
  lossPlot,
  mapPlot,
  renderSvg,
  rocPlot,
  sizePlot,
} from "../../lib/report/mod.ts";
import { countMarks, parseXml, texts } from "./_inspect.ts";

Deno.test("histogramPlot: valid SVG with one bar per bin and group, axes and legend labelled", async () => {
  const edges = [0, 0.25, 0.5, 0.75, 1, 1.25];
  const svg = await renderSvg(
    histogramPlot({ edges, matched: [5, 9, 3, 1, 0], mismatched: [0, 1, 4, 8, 6] }),
  );
  assert.equal(parseXml(svg).name, "svg");
  assert.equal(countMarks(svg, "rect"), 10);
  const words = texts(svg);
  for (const w of ["distance", "share of pairs", "matched", "mismatched"]) {
    assert.ok(words.includes(w), `missing text ${w}`);
  }
});

Deno.test("histogramPlot: shares per group, or raw counts", () => {
  const h = { edges: [0, 1, 2], matched: [3, 1], mismatched: [2, 6] };
  const shares = (histogramPlot(h).data as { values: { share: number }[] }).values.map((v) =>
    v.share
  );
  assert.deepEqual(shares, [0.75, 0.25, 0.25, 0.75]);
  const counts = (histogramPlot(h, { normalize: false }).data as { values: { share: number }[] })
    .values.map((v) => v.share);
  assert.deepEqual(counts, [3, 1, 2, 6]);
});

Deno.test("histogramPlot: bad histograms get clear errors", () => {
  assert.throws(
    () => histogramPlot({ edges: [0, 1, 2], matched: [1], mismatched: [1, 2] }),
    /matched must hold one count per bin \(2\): current length is 1/,
  );
  assert.throws(
    () => histogramPlot({ edges: [0, 2, 1], matched: [1, 1], mismatched: [1, 2] }),
    /edges must ascend: edges\[2\] is 1 after 2/,
  );
  assert.throws(
    () => histogramPlot({ edges: [0, 1], matched: [NaN], mismatched: [1] }),
    /matched\[0\] must be a finite number: current value is NaN/,
  );
});

Deno.test("mapPlot: one dot per mapped row, legend of class names in label order", async () => {
  const n = 37;
  const points = new Float64Array(2 * n).map((_, k) => Math.sin(k) * 10);
  const rows = new Int32Array(n).map((_, i) => 2 * i); // every other input row was kept
  const labels = Array.from({ length: 2 * n }, (_, r) => (r / 2) % 3);
  const svg = await renderSvg(
    mapPlot({ points, rows }, { labels, classNames: ["T-shirt/top", "Trouser", "Bag"] }),
  );
  assert.equal(countMarks(svg, "symbol"), n);
  const words = texts(svg);
  const legend = ["T-shirt/top", "Trouser", "Bag"].map((w) => words.indexOf(w));
  assert.ok(legend.every((i) => i >= 0), `legend texts ${words.join("|")}`);
  assert.deepEqual([...legend].sort((a, b) => a - b), legend);
  assert.ok(words.includes("dimension 1") && words.includes("dimension 2"));
});

Deno.test("mapPlot: without labels there is no legend; with short labels an error", async () => {
  const map = { points: new Float64Array([0, 0, 1, 1, 2, 0]), rows: new Int32Array([0, 1, 2]) };
  const svg = await renderSvg(mapPlot(map));
  assert.equal(countMarks(svg, "symbol"), 3);
  assert.ok(!svg.includes("role-legend"));
  assert.throws(() => mapPlot(map, { labels: [0, 1] }), /no entry for row 2: current length is 2/);
  assert.throws(
    () => mapPlot({ points: new Float64Array(3), rows: new Int32Array(2) }),
    /2 values per row \(4\): current length is 3/,
  );
});

Deno.test("rocPlot: one line per curve; log axis drops FAR 0", async () => {
  const a = [{ far: 0, tar: 0 }, { far: 0.001, tar: 0.5 }, { far: 0.1, tar: 0.9 }, {
    far: 1,
    tar: 1,
  }];
  const b = a.map((p) => ({ far: p.far, tar: p.tar * p.tar }));
  const svg = await renderSvg(rocPlot({ triplet: a, contrastive: b }, { logX: true }));
  assert.equal(countMarks(svg, "line"), 2);
  const words = texts(svg);
  for (const w of ["triplet", "contrastive", "false accept rate (FAR)", "true accept rate (TAR)"]) {
    assert.ok(words.includes(w), `missing ${w}`);
  }
  assert.equal((rocPlot(a, { logX: true }).data as { values: unknown[] }).values.length, 3);
  assert.equal((rocPlot(a).data as { values: unknown[] }).values.length, 4);
  assert.throws(() => rocPlot([{ far: 0, tar: 0 }], { logX: true }), /every point has FAR 0/);
  assert.throws(() => rocPlot({}), /no curve was given/);
  assert.throws(() => rocPlot({ m: [] }), /curve "m" is empty/);
});

Deno.test("cmcPlot: a line with one dot per rank", async () => {
  const cmc = [0.6, 0.7, 0.8, 0.85, 0.9, 0.92, 0.95];
  const svg = await renderSvg(cmcPlot({ model: cmc }));
  assert.equal(countMarks(svg, "line"), 1);
  assert.equal(countMarks(svg, "symbol"), cmc.length);
  assert.ok(texts(svg).includes("identification rate"));
  assert.throws(
    () => cmcPlot([0.5, Infinity]),
    /model\[1\] must be a finite number: current value is Infinity/,
  );
});

Deno.test("lossPlot: one line per curve; log axis refuses losses at or below 0", async () => {
  const train = Array.from({ length: 50 }, (_, i) => ({ step: i, loss: 1 / (i + 1) }));
  const validation = [{ step: 0, loss: 1 }, { step: 49, loss: 0.1 }];
  const svg = await renderSvg(lossPlot({ train, validation }, { logY: true }));
  assert.equal(countMarks(svg, "line"), 2);
  assert.ok(texts(svg).includes("step") && texts(svg).includes("loss"));
  assert.throws(
    () => lossPlot([{ step: 0, loss: 0 }], { logY: true }),
    /must be above 0: loss\[0\]\.loss is 0/,
  );
});

Deno.test("sizePlot: one dot per size and metric, sizes on a base-2 axis", async () => {
  const results = [8, 16, 32, 64].map((size) => ({ size, metrics: { auc: 0.9, "rank-1": 0.7 } }));
  const svg = await renderSvg(sizePlot(results));
  assert.equal(countMarks(svg, "symbol"), 8);
  assert.equal(countMarks(svg, "line"), 2);
  const words = texts(svg);
  for (const w of ["8", "16", "32", "64", "embedding size", "auc", "rank-1"]) {
    assert.ok(words.includes(w), w);
  }
  assert.throws(
    () => sizePlot([{ size: 8, metrics: { auc: 1 } }], { metrics: ["map"] }),
    /lacks metric "map"/,
  );
});

Deno.test("renderSvg: a spec Vega-Lite rejects gets a clear error", async () => {
  await assert.rejects(() => renderSvg({ mark: "no-such-mark" }), /Vega-Lite rejected the spec/);
});
