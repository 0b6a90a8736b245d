/**
 * report's open-set comparison draws what it is given: the rendered SVG is parsed for each
 * panel's whiskers (rule marks) and dots (symbol marks), which must sit where one linear
 * value axis per panel puts low, mean and high; the table prints the same numbers; the files
 * are written; bad input is named.
 */
import assert from "node:assert/strict";
import { openSetPlot } from "../../lib/report/open_set_plot.ts";
import { openSetColumns, openSetTable } from "../../lib/report/open_set_table.ts";
import { writeOpenSet } from "../../lib/report/open_set.ts";
import { renderSvg } from "../../lib/report/render_svg.ts";

const rows = [
  {
    config: "classifier",
    metrics: {
      rank1: { mean: 0.6, low: 0.5, high: 0.7 },
      auc: { mean: 0.8, low: 0.79, high: 0.81 },
    },
  },
  {
    config: "triplet",
    metrics: {
      rank1: { mean: 0.72, low: 0.7, high: 0.74 },
      auc: { mean: 0.9, low: 0.85, high: 0.95 },
    },
  },
  {
    config: "supcon",
    metrics: {
      rank1: { mean: 0.65, low: 0.6, high: 0.7 },
      auc: { mean: 0.85, low: 0.85, high: 0.85 },
    },
  },
];

/** Each panel's rules (x1, x2, y, colour, label) and points (x, y, colour, label). */
function marks(svg: string) {
  const num = (s: string) => Number(s);
  const rules = [...svg.matchAll(
    /<line aria-label="([^"]*)"[^>]*aria-roledescription="rule mark" transform="translate\(([-\d.e]+),([-\d.e]+)\)" x2="([-\d.e]+)" y2="0" stroke="([^"]+)"/g,
  )].map((m) => ({
    label: m[1],
    x1: num(m[2]),
    y: num(m[3]),
    x2: num(m[2]) + num(m[4]),
    colour: m[5],
  }));
  const points = [...svg.matchAll(
    /<path aria-label="([^"]*)"[^>]*aria-roledescription="point" transform="translate\(([-\d.e]+),([-\d.e]+)\)"[^>]*fill="([^"]+)"/g,
  )].map((m) => ({ label: m[1], x: num(m[2]), y: num(m[3]), colour: m[4] }));
  return { rules, points };
}

Deno.test("openSetPlot draws a whisker low…high and a dot at the mean per config and metric", async () => {
  const svg = await renderSvg(openSetPlot(rows, { metrics: { rank1: "rank-1", auc: "AUC" } }));
  const { rules, points } = marks(svg);
  assert.equal(rules.length, 6, "3 configurations × 2 metrics");
  assert.equal(points.length, 6);
  // Panels come in metric order: the first 3 marks are rank-1's, the next 3 AUC's.
  const panels = [["rank1", rules.slice(0, 3), points.slice(0, 3)], [
    "auc",
    rules.slice(3),
    points.slice(3),
  ]] as const;
  for (const [metric, rs, ps] of panels) {
    // rows top to bottom in the given order, one colour each
    assert.deepEqual(rs.map((r) => r.label.match(/config: (\w+)/)![1]), rows.map((r) => r.config));
    assert.ok(rs[0].y < rs[1].y && rs[1].y < rs[2].y, "rows in the given order");
    assert.equal(new Set(rs.map((r) => r.colour)).size, 3);
    // one linear axis: x = a + b·value, fitted on the first row's low and high
    const v = rows.map((r) => r.metrics[metric]);
    const b = (rs[0].x2 - rs[0].x1) / (v[0].high - v[0].low), a = rs[0].x1 - b * v[0].low;
    assert.ok(b > 0, "larger values to the right");
    rs.forEach((r, i) => {
      const at = (x: number) => a + b * x;
      assert.ok(
        Math.abs(r.x1 - at(v[i].low)) < 1e-6,
        `${metric} ${i} low: ${r.x1} vs ${at(v[i].low)}`,
      );
      assert.ok(Math.abs(r.x2 - at(v[i].high)) < 1e-6, `${metric} ${i} high`);
      assert.ok(Math.abs(ps[i].x - at(v[i].mean)) < 1e-6, `${metric} ${i} mean`);
      assert.equal(ps[i].y, r.y, "the dot on its whisker");
      assert.equal(ps[i].colour, r.colour);
    });
  }
  assert.ok(svg.includes(">rank-1<") && svg.includes(">AUC<"), "panel titles");
});

Deno.test("openSetTable prints mean ± half-width per metric, in the asked order", () => {
  const md = openSetTable(rows, { metrics: { auc: "AUC", rank1: "rank-1" }, digits: 2 });
  assert.equal(
    md,
    [
      "| configuration | AUC | rank-1 |",
      "|---|---:|---:|",
      "| classifier | 0.80 ± 0.01 | 0.60 ± 0.10 |",
      "| triplet | 0.90 ± 0.05 | 0.72 ± 0.02 |",
      "| supcon | 0.85 ± 0.00 | 0.65 ± 0.05 |",
    ].join("\n"),
  );
  const c = openSetColumns(0.001);
  assert.deepEqual(Object.keys(c), [
    "rank1",
    "tar@0.001",
    "auc",
    "impostorAccepted@0.001",
    "genuineAccepted@0.001",
  ]);
  // a "|" in a name cannot break the table
  assert.match(openSetTable([{ config: "a|b", metrics: { x: rows[0].metrics.auc } }]), /a\\\|b/);
});

Deno.test("writeOpenSet writes the table, the figure (SVG, PNG) and the JSON", async () => {
  const dir = await Deno.makeTempDir({ prefix: "likeness-open-set-" });
  try {
    const metrics = { rank1: "rank-1" };
    const table = await writeOpenSet(dir, rows, { metrics, header: "h", json: { a: 1 } });
    assert.equal(await Deno.readTextFile(`${dir}/open_world.md`), `h\n\n${table}\n`);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/open_world.json`)), { a: 1 });
    const svg = await Deno.readTextFile(`${dir}/open_world.svg`);
    assert.equal(svg, await renderSvg(openSetPlot(rows, { metrics })));
    const png = await Deno.readFile(`${dir}/open_world.png`);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], "PNG signature");
    const left = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(left, [
      "open_world.json",
      "open_world.md",
      "open_world.png",
      "open_world.svg",
    ]);
    await assert.rejects(() => writeOpenSet(dir, rows, { name: "../x" }), /plain file name/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("openSetPlot and openSetTable name bad input", () => {
  const one = (v: Record<string, number>) => [{ config: "a", metrics: { m: v as never } }];
  const cases: [() => unknown, RegExp][] = [
    [() => openSetPlot([]), /rows are empty/],
    [() => openSetPlot(one({ mean: 0.5, low: 0.4, high: 0.6 }), { metrics: {} }), /no metric/],
    [
      () => openSetPlot(one({ mean: NaN, low: 0.4, high: 0.6 })),
      /rows\[0\]\.metrics\["m"\]\.mean must be a finite number: current value is NaN/,
    ],
    [
      () => openSetPlot(one({ mean: 0.7, low: 0.4, high: 0.6 })),
      /low ≤ mean ≤ high: current values are 0.4, 0.7, 0.6/,
    ],
    [
      () => openSetPlot(one({ mean: 0.5, low: 0.4, high: 0.6 }), { metrics: { x: "X" } }),
      /rows\[0\] \("a"\) lacks metric "x"/,
    ],
    [
      () =>
        openSetPlot([
          ...one({ mean: 0.5, low: 0.4, high: 0.6 }),
          ...one({ mean: 0.5, low: 0.4, high: 0.6 }),
        ]),
      /names must be unique/,
    ],
    [() => openSetTable([]), /rows are empty/],
    [
      () => openSetTable(one({ mean: 0.5, low: 0.4, high: Infinity })),
      /\.high must be a finite number: current value is Infinity/,
    ],
    [
      () => openSetTable(one({ mean: 0.5, low: 0.4, high: 0.6 }), { digits: -1 }),
      /digits must be an integer in \[0, 12\]: current value is -1/,
    ],
  ];
  for (const [f, pattern] of cases) assert.throws(f, pattern);
});
