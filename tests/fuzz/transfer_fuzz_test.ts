/**
 * Properties of transfer learning and colour drawing: for arbitrary (also hostile) options
 * fromLayersModel either returns one layersModel stage (cut at the named layer, frozen as
 * asked, its multiplier kept) or throws an Error naming the option and the value, leaking no
 * tensor; setFrozen either sets every layer's trainable flag as asked or throws naming
 * `frozen`; and the galleries draw arbitrary RGB values (NaN, ±Infinity, out of range
 * included) as valid truecolour PNGs whose every pixel is the clamped value.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import * as tf from "@tensorflow/tfjs";
import { fromLayersModel, setFrozen } from "../../lib/backbones/mod.ts";
import { pairGallery } from "../../lib/report/pair_gallery.ts";
import { decodePng } from "../report/_inspect.ts";

await tf.setBackend("cpu");

const hostile = fc.oneof(
  fc.integer({ min: -3, max: 6 }),
  fc.double(),
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, 1, 0.1, 1e9),
  fc.string({ maxLength: 6 }),
  fc.constantFrom("d1", "d2", "d3", "input"),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
);

const net = tf.sequential({
  layers: [
    tf.layers.dense({ units: 3, inputShape: [2], name: "d1" }),
    tf.layers.dense({ units: 3, name: "d2" }),
    tf.layers.dense({ units: 2, name: "d3" }),
  ],
});

Deno.test("fromLayersModel: arbitrary options give a stage as asked or an Error naming the option", () => {
  const before = tf.memory().numTensors;
  fc.assert(
    fc.property(
      fc.record({
        freeze: hostile,
        frozen: hostile,
        cutAt: hostile,
        learningRateMultiplier: hostile,
      }, {
        requiredKeys: [],
      }),
      (options) => {
        let stage;
        try {
          stage = fromLayersModel(net, options as never).stages[0];
        } catch (error) {
          assert.ok(error instanceof Error);
          assert.match(
            error.message,
            /^Cannot create backbone from layers model .*as (options|freeze|frozen|cutAt|learningRateMultiplier|frozen and freeze) /,
          );
          assert.match(error.message, /current (value|values) (is|are) /);
          return;
        }
        assert.equal(stage.kind, "layersModel");
        if (stage.kind !== "layersModel") return;
        const names = stage.model.layers.map((l) => l.name);
        if (typeof options.cutAt === "string") assert.equal(names.at(-1), options.cutAt);
        const count = stage.model.layers.length;
        const f = options.frozen ?? options.freeze ?? 0;
        assert.equal(stage.freeze, f === true ? count : f === false ? 0 : f);
        const m = options.learningRateMultiplier;
        assert.equal(stage.learningRateMultiplier, m === undefined || m === 1 ? undefined : m);
      },
    ),
    { numRuns: 300, seed: 15 },
  );
  assert.equal(tf.memory().numTensors, before, "no tensor leaks");
});

Deno.test("setFrozen: arbitrary values set the trainable flags or throw naming frozen", () => {
  const spec = fromLayersModel(net);
  fc.assert(
    fc.property(hostile, (frozen) => {
      try {
        setFrozen(spec, frozen as never);
      } catch (error) {
        assert.ok(error instanceof Error);
        assert.match(error.message, /^Cannot set frozen as frozen must be .*current value is /);
        return;
      }
      const flags = net.layers.map((l) => l.trainable);
      const n = frozen === true ? 3 : frozen === false ? 0 : frozen as number;
      assert.deepEqual(flags, [0, 1, 2].map((i) => i >= n));
    }),
    { numRuns: 200, seed: 16 },
  );
});

Deno.test("galleries draw arbitrary RGB values as truecolour PNGs of the clamped values", () => {
  const value = fc.oneof(
    fc.double(),
    fc.constantFrom(NaN, Infinity, -Infinity, -0, 0.5, 1, 2),
    fc.double({ min: 0, max: 1, noNaN: true }),
  );
  fc.assert(
    fc.property(fc.array(value, { minLength: 12, maxLength: 12 }), (raw) => {
      const images = Float32Array.from(raw);
      const svg = pairGallery({ images, shape: [2, 2, 3], size: 1 }, [{
        left: 0,
        right: 0,
        score: 0.5,
        same: true,
      }]);
      const m = / href="data:image\/png;base64,([A-Za-z0-9+/=]+)"/.exec(svg);
      assert.ok(m, "an image");
      const png = decodePng(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)));
      assert.equal(png.colourType, 2);
      const scale = png.width / 2;
      for (let p = 0; p < 4; p++) {
        const x = (p % 2) * scale, y = Math.floor(p / 2) * scale;
        const at = (y * png.width + x) * 3;
        for (let c = 0; c < 3; c++) {
          const v = images[p * 3 + c];
          const want = Math.round(255 * Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)));
          assert.equal(png.samples[at + c], want, `pixel ${p} channel ${c} of ${v}`);
        }
      }
    }),
    { numRuns: 200, seed: 17 },
  );
});

Deno.test("cleanup", () => {
  net.dispose();
});
