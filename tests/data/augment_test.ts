import assert from "node:assert/strict";
import { augment, resizeImage } from "../../lib/data/mod.ts";
import { rng } from "../../lib/samplers/mod.ts";

const {
  colorJitter,
  compose,
  flip,
  gaussianBlur,
  grayscale,
  randomAffine,
  randomResizedCrop,
  twoViews,
} = augment;
const img = (data: number[], shape: [number, number, number]) => ({
  data: Float32Array.from(data),
  shape,
});
const round = (a: Float32Array) => [...a].map((v) => Math.round(v * 1000) / 1000);

Deno.test("flip mirrors a 2 × 3 RGB image row by row, and p = 0 keeps it", () => {
  const src = img(Array.from({ length: 18 }, (_, i) => i / 20), [2, 3, 3]);
  const out = flip(1)(src, rng(0)).data;
  // pixel (y, x) moves to (y, 2 - x), channels kept in order
  for (let y = 0; y < 2; y++) {
    for (let x = 0; x < 3; x++) {
      for (let k = 0; k < 3; k++) {
        assert.equal(out[(y * 3 + 2 - x) * 3 + k], src.data[(y * 3 + x) * 3 + k]);
      }
    }
  }
  assert.deepEqual([...flip(0)(src, rng(0)).data], [...src.data]);
});

Deno.test("gaussianBlur of an impulse is the normalised Gaussian kernel (outer product in 2-D)", () => {
  const src = new Float32Array(49);
  src[24] = 1; // centre of 7 × 7
  const out =
    gaussianBlur({ sigma: [0.8, 0.8], p: 1 })({ data: src, shape: [7, 7, 1] }, rng(0)).data;
  const r = Math.ceil(3 * 0.8);
  const g = Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * 0.64)));
  const z = g.reduce((a, b) => a + b, 0);
  for (let y = -3; y <= 3; y++) {
    for (let x = -3; x <= 3; x++) {
      const want = (g[y + r] / z) * (g[x + r] / z);
      assert.ok(Math.abs(out[(y + 3) * 7 + x + 3] - want) < 1e-6, `(${y}, ${x})`);
    }
  }
  assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-5, "mass kept");
});

Deno.test("grayscale gives BT.601 luma in all three channels; one-channel images pass through", () => {
  const out = grayscale(1)(img([1, 0, 0, 0, 1, 0], [1, 2, 3]), rng(0)).data;
  assert.deepEqual(round(out), [0.299, 0.299, 0.299, 0.587, 0.587, 0.587]);
  assert.deepEqual([...grayscale(1)(img([0.5], [1, 1, 1]), rng(0)).data], [0.5]);
});

Deno.test("randomAffine: degrees 0 is the identity; [90, 90] turns a 3 × 3 image a quarter; any rotation keeps the centre", () => {
  const src = img([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8], [3, 3, 1]);
  assert.deepEqual(round(randomAffine({ degrees: 0 })(src, rng(0)).data), round(src.data));
  // a quarter turn counter-clockwise: row y of the result is column 2 - y of the source
  const turned = randomAffine({ degrees: [90, 90] })(src, rng(0)).data;
  assert.deepEqual(round(turned), [0.2, 0.5, 0.8, 0.1, 0.4, 0.7, 0, 0.3, 0.6]);
  const half = randomAffine({ degrees: [180, 180] })(src, rng(0)).data;
  assert.deepEqual(round(half), round(src.data.slice().reverse()));
  // the rotation is about the centre, so the centre pixel stays whatever the drawn angle
  for (let s = 0; s < 5; s++) {
    assert.ok(Math.abs(randomAffine({ degrees: 90 })(src, rng(s)).data[4] - 0.4) < 1e-6);
  }
});

Deno.test("randomResizedCrop keeps the shape, takes pixels from a sub-rectangle, and is seeded", () => {
  const src = img(Array.from({ length: 64 }, (_, i) => i / 64), [8, 8, 1]);
  const a = randomResizedCrop({ scale: [0.25, 0.25], ratio: [1, 1] })(src, rng(9));
  assert.deepEqual(a.shape, [8, 8, 1]);
  // a 4 × 4 crop grown ×2 bilinearly: its corners are crop corners, so values are src values
  const corners = [a.data[0], a.data[63]];
  assert.ok(corners.every((v) => src.data.includes(v)), `${corners}`);
  const b = randomResizedCrop({ scale: [0.25, 0.25], ratio: [1, 1] })(src, rng(9));
  assert.deepEqual([...a.data], [...b.data]);
  const expected = resizeImage(src.data, [8, 8, 1], [8, 8]);
  assert.deepEqual([...expected], [...src.data]);
});

Deno.test("colorJitter clamps to [0, 1]; same seed same pixels; twoViews gives two different views", () => {
  const src = img(Array.from({ length: 48 }, (_, i) => i / 47), [4, 4, 3]);
  const aug = compose(
    randomResizedCrop(),
    flip(),
    colorJitter({ brightness: 1, contrast: 1, saturation: 1, p: 1 }),
    grayscale(),
    gaussianBlur(),
  );
  for (let s = 0; s < 10; s++) {
    const out = aug(src, rng(s)).data;
    assert.ok(out.every((v) => v >= 0 && v <= 1 && Number.isFinite(v)));
    assert.deepEqual([...out], [...aug(src, rng(s)).data]);
  }
  const [v1, v2] = twoViews(aug)(src, rng(1));
  assert.notDeepEqual([...v1.data], [...v2.data]);
  assert.throws(() => flip(2), /p must be a number in \[0, 1\]: current p is 2/);
  assert.throws(() => flip()(img([0, 1], [1, 1, 1]), rng(0)), /h × w × c values/);
});
