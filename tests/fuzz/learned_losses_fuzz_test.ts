// The losses with learned parameters under arbitrary (hostile) options, labels, embeddings and
// parameters: each call returns a finite value equal to the float64 loop oracle, or throws an
// Error naming the argument (options.x, labels, context.parameters.x). Never NaN, no leaks.
import assert from "node:assert/strict";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import * as learned from "../../lib/losses/learned/mod.ts";
import type { Labelled, Loss, Tensor2D } from "../../lib/types.ts";
import { rng, type Rows } from "../losses/_oracle.ts";
import {
  arcFaceOracle,
  cosFaceOracle,
  proxyAnchorOracle,
  proxyNcaOracle,
  softTripleOracle,
} from "../losses/_learned_oracle.ts";

await tf.setBackend("cpu");

type Options = Record<string, unknown>;

interface Case {
  readonly make: (o: Options) => Loss<Labelled>;
  readonly parameter: string;
  readonly rowsPerClass: (o: Options) => number;
  readonly oracle: (
    b: { rows: Rows; labels: number[] },
    w: Rows,
    o: Record<string, number>,
  ) => number;
  readonly options: readonly string[];
}

/** The case of `loss`, whose parameter has one row per class. */
const oneRowPerClass = (
  loss: keyof typeof learned,
  parameter: string,
  oracle: Case["oracle"],
  ...options: string[]
): Case => ({
  make: (o) => learned[loss](o as never),
  parameter,
  rowsPerClass: () => 1,
  oracle,
  options,
});

const CASES: Record<string, Case> = {
  arcFace: oneRowPerClass("arcFace", "classWeights", arcFaceOracle, "margin", "scale"),
  cosFace: oneRowPerClass("cosFace", "classWeights", cosFaceOracle, "margin", "scale"),
  subCenterArcFace: {
    make: (o) => learned.subCenterArcFace(o as never),
    parameter: "classWeights",
    rowsPerClass: (o) => (o.subCenters as number | undefined) ?? 3,
    oracle: (b, w, o) => arcFaceOracle(b, w, { ...o, k: o.subCenters ?? 3 }),
    options: ["margin", "scale", "subCenters"],
  },
  proxyAnchor: oneRowPerClass("proxyAnchor", "proxies", proxyAnchorOracle, "margin", "alpha"),
  proxyNca: oneRowPerClass("proxyNca", "proxies", proxyNcaOracle, "softmaxScale"),
  softTriple: {
    make: (o) => learned.softTriple(o as never),
    parameter: "centers",
    rowsPerClass: (o) => (o.centersPerClass as number | undefined) ?? 10,
    oracle: (b, w, o) => softTripleOracle(b, w, { ...o, k: o.centersPerClass ?? 10 }),
    options: ["la", "gamma", "margin", "centersPerClass"],
  },
};

const hostile = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 0.5, 2, 1e9, -0, "3" as unknown as number),
  fc.double({ min: -200, max: 200, noNaN: true }),
  fc.integer({ min: -3, max: 12 }),
);

Deno.test("learned losses: hostile options are accepted or refused naming the option", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...Object.keys(CASES)),
      fc.dictionary(
        fc.constantFrom(
          "classes",
          "margin",
          "scale",
          "alpha",
          "softmaxScale",
          "la",
          "gamma",
          "subCenters",
          "centersPerClass",
          "learningRateMultiplier",
        ),
        hostile,
      ),
      (name, options) => {
        let loss: Loss<Labelled> | undefined;
        try {
          loss = CASES[name].make(options);
        } catch (error) {
          assert.ok(error instanceof Error);
          assert.match(error.message, /^Cannot create \w+ loss as options\.\w+ must be/);
          const named = /options\.(\w+)/.exec(error.message)![1];
          assert.ok(
            named in options || named === "classes",
            `${error.message} for ${JSON.stringify(options)}`,
          );
          assert.match(error.message, /current value is /);
          return;
        }
        // accepted: every parameter spec is well formed
        const p = loss.parameters![0];
        assert.ok(p.shape[0] as number >= 2 && p.shape[1] === "embeddingSize");
        const m = p.learningRateMultiplier!;
        assert.ok(Number.isFinite(m) && m > 0);
      },
    ),
    { numRuns: 300 },
  );
});

const batchArb = fc.record({
  loss: fc.constantFrom(...Object.keys(CASES)),
  classes: fc.integer({ min: 2, max: 4 }),
  k: fc.integer({ min: 1, max: 3 }),
  n: fc.integer({ min: 0, max: 5 }),
  dim: fc.integer({ min: 1, max: 3 }),
  labels: fc.constantFrom("valid", "same", "negative", "too big", "fraction", "NaN"),
  values: fc.constantFrom("random", "zero", "duplicate", "huge", "tiny"),
  parameters: fc.constantFrom("random", "zero row", "huge", "duplicate"),
  seed: fc.integer(),
});

Deno.test("learned losses: arbitrary batches and parameters give the oracle's finite value or an error naming labels", () => {
  fc.assert(
    fc.property(batchArb, (g) => {
      const c = CASES[g.loss];
      const next = rng(g.seed);
      const options: Record<string, number> = {
        classes: g.classes,
        ...(g.loss === "subCenterArcFace" ? { subCenters: g.k } : {}),
        ...(g.loss === "softTriple" ? { centersPerClass: g.k } : {}),
      };
      // gentle scales: the oracle's float64 and the loss's float32 then agree to 1e-4
      for (const o of c.options) {
        if (!(o in options) && o !== "margin") {
          options[o] = o === "gamma" ? 0.5 : 4;
        }
      }
      const loss = c.make(options);
      const scale = g.values === "huge" ? 1e18 : g.values === "tiny" ? 1e-18 : 1;
      const rows: Rows = Array.from(
        { length: g.n },
        (_, i) =>
          Array.from(
            { length: g.dim },
            () =>
              g.values === "zero"
                ? 0
                : Math.fround(((g.values === "duplicate" && i > 0) ? 0.5 : next()) * scale),
          ),
      );
      let labels = rows.map(() => Math.floor(((next() + 1) / 2) * g.classes));
      const bad = g.n > 0 && !["valid", "same"].includes(g.labels);
      if (g.labels === "same") labels = labels.map(() => 0);
      if (bad) {
        labels[g.n - 1] =
          ({ negative: -1, "too big": g.classes, fraction: 0.5, NaN: NaN } as Record<
            string,
            number
          >)[g.labels];
      }
      const count = g.classes * c.rowsPerClass(options);
      const w: Rows = Array.from({ length: count }, (_, r) =>
        Array.from({ length: g.dim }, () => {
          const v = Math.fround(next());
          if (g.parameters === "zero row" && r === 0) return 0;
          if (g.parameters === "huge") return Math.fround(v * 1e18);
          if (g.parameters === "duplicate" && r > 0) return 0.25;
          return v;
        }));
      const before = tf.memory().numTensors;
      const input: Labelled = {
        kind: "labelled",
        embeddings: tf.tensor2d(rows.flat(), [g.n, g.dim]) as Tensor2D,
        labels: tf.tensor1d(labels, "float32"),
      };
      const p = tf.tensor2d(w.flat(), [count, g.dim]);
      try {
        const v = tf.tidy(() =>
          loss.reduce(loss.perItem(input, { training: true, parameters: { [c.parameter]: p } }))
            .dataSync()[0]
        );
        assert.ok(!bad, `a bad label (${g.labels}) was not refused`);
        assert.ok(Number.isFinite(v), `${v}`);
        const expected = c.oracle({ rows, labels }, w, options);
        // ArcFace's angle: a float32 cosine of parallel rows is 1 − 6e-8, and acos there is
        // 3.5e-4 rad (float64: 0), which moves the margin's logit by up to scale · sin(m) · 3.5e-4
        // (≈ 7e-4 at scale 4): a float32 property of the formula, not an error of the loss
        const angular = g.loss === "arcFace" || g.loss === "subCenterArcFace" ? 2e-3 : 0;
        assert.ok(
          Math.abs(v - expected) <= 1e-4 * (1 + Math.abs(expected)) + angular,
          `${v} vs ${expected}`,
        );
      } catch (error) {
        if (!bad) throw error;
        assert.match(
          (error as Error).message,
          new RegExp(
            `labels must be integers in \\[0, ${g.classes}\\) .*current value at index ${
              g.n - 1
            } is`,
          ),
        );
      } finally {
        tf.dispose([input.embeddings, input.labels, p]);
      }
      assert.equal(tf.memory().numTensors, before, "tensors left behind");
    }),
    { numRuns: 400 },
  );
});
