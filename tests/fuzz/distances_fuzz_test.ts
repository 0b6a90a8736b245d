// Fuzz: the Distance record. For arbitrary (hostile) specs, distance() returns a working record
// or throws an Error naming the field; for arbitrary float32 rows, every built-in's host form
// is a number (never NaN) that agrees with its tensor forms; metrics and galleries given
// anything but a Distance record throw an Error naming options.distance.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import fc from "fast-check";
import {
  cosine,
  distance,
  dot,
  euclidean,
  manhattan,
  squaredEuclidean,
} from "../../lib/distances/mod.ts";
import { cmcCurve, evaluate, pairDistances, retrievalMetrics } from "../../lib/metrics/mod.ts";
import { memoryStore, openGallery } from "../../lib/gallery/mod.ts";
import type { Distance, Tensor1D, Tensor2D } from "../../lib/types.ts";

await tf.setBackend("cpu");

const BUILT_IN = [euclidean, squaredEuclidean, cosine, manhattan, dot];
const hostile = fc.oneof(
  fc.anything(),
  fc.constantFrom(null, undefined, "", "euclidean", "cosine", 0, NaN, () => 1, [], {}),
);

Deno.test("fuzz: distance() makes a working record or names the field", () => {
  fc.assert(
    fc.property(
      fc.record({
        name: fc.oneof(hostile, fc.string({ minLength: 1, maxLength: 8 })),
        rows: fc.oneof(
          hostile,
          fc.constant((a: Tensor2D, b: Tensor2D) => tf.sum(tf.abs(tf.sub(a, b)), 1) as Tensor1D),
        ),
        matrix: fc.oneof(fc.constant(undefined), hostile),
        host: fc.oneof(fc.constant(undefined), hostile),
      }, { requiredKeys: [] }),
      (spec) => {
        let d: Distance;
        try {
          d = distance(spec as Parameters<typeof distance>[0]);
        } catch (error) {
          assert.ok(error instanceof Error);
          assert.match(error.message, /^Cannot define a distance.* as spec(\.\w+)? |built-in/);
          return;
        }
        assert.equal(typeof d.name, "string");
        assert.equal(d.host.kind, "custom");
        // a record made from a valid rows function computes (or names itself when it fails)
        const a = tf.tensor2d([[0, 1], [2, 3]]), b = tf.tensor2d([[1, 1], [2, 0]]);
        try {
          const r = d.rows(a, b);
          assert.deepEqual(Array.from(r.dataSync()), [1, 3]);
          r.dispose();
        } catch (error) {
          assert.ok(error instanceof Error);
          assert.match(
            error.message,
            /^Cannot compute distance '.*' as its rows function must return/,
          );
        } finally {
          tf.dispose([a, b]);
        }
        try {
          const v = d.host.pair([0, 1], [1, 1]);
          assert.ok(!Number.isNaN(v));
        } catch (error) {
          assert.ok(error instanceof Error);
          assert.match(error.message, new RegExp(`distance '${d.name.replace(/\W/g, ".")}'`));
        }
      },
    ),
    { numRuns: 150, seed: 7 },
  );
});

Deno.test("fuzz: built-in host forms are never NaN and agree with rows and matrix on float32 rows", () => {
  const value = fc.oneof(
    fc.float({ noNaN: true, noDefaultInfinity: true, min: -1e4, max: 1e4 }),
    fc.constantFrom(0, -0, 1e-30, -1e-30),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5 }).chain((dim) =>
        fc.tuple(
          fc.array(value, { minLength: dim, maxLength: dim }),
          fc.array(value, { minLength: dim, maxLength: dim }),
        )
      ),
      ([x, y]) => {
        const a = Float32Array.from(x), b = Float32Array.from(y);
        const ta = tf.tensor2d(a, [1, a.length]), tb = tf.tensor2d(b, [1, b.length]);
        for (const d of BUILT_IN) {
          const host = d.host.pair(a, b);
          assert.ok(!Number.isNaN(host), `${d.name} host NaN`);
          const [rows] = tf.tidy(() => d.rows(ta, tb)).dataSync();
          const [matrix] = tf.tidy(() => d.matrix(ta, tb)).dataSync();
          const scale = 1 + Math.max(...a.map(Math.abs), ...b.map(Math.abs)) ** 2;
          // tensor cosine clamps tiny norms at 1e-12, the host computes them exactly
          const tiny = d === cosine && (Math.hypot(...a) < 1e-6 || Math.hypot(...b) < 1e-6);
          if (!tiny) {
            assert.ok(Math.abs(rows - host) <= 1e-4 * scale, `${d.name} rows ${rows} host ${host}`);
            assert.ok(Math.abs(matrix - host) <= 2e-3 * scale, `${d.name} matrix ${matrix}`);
          }
        }
        tf.dispose([ta, tb]);
      },
    ),
    { numRuns: 200, seed: 11 },
  );
});

Deno.test("fuzz: metrics and galleries refuse anything but a Distance record, naming options.distance", () => {
  const set = {
    embeddings: new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]),
    labels: new Int32Array([0, 0, 1, 1]),
    dim: 2,
  };
  fc.assert(
    fc.property(hostile.filter((v) => v !== undefined), (bad) => {
      const distanceOption = { distance: bad as Distance };
      for (
        const call of [
          () => evaluate(set, distanceOption),
          () => pairDistances(set, distanceOption),
          () => retrievalMetrics(set, distanceOption),
          () => cmcCurve(set, set, distanceOption),
          () => openGallery(memoryStore({ dim: 2, fingerprint: "m" }), distanceOption),
          () => memoryStore({ dim: 2, fingerprint: "m", ...distanceOption }),
        ]
      ) {
        assert.throws(call, (error: Error) => /options\.distance/.test(error.message));
      }
    }),
    { numRuns: 100, seed: 3 },
  );
});
