/**
 * Properties of image loading and augmentation: for arbitrary (also hostile) input,
 * - decoding bytes (random, or a valid PNG/JPEG mangled) either gives RGBA pixels of the stated
 *   size or throws a DataFileError naming the file — never a crash, never wrong-sized pixels;
 * - a manifest of arbitrary text either gives an image dataset whose files all lie inside the
 *   manifest's folder, or throws an Error naming the manifest;
 * - resizeImage gives values within the input's range (its weights are convex), and a constant
 *   image stays constant;
 * - every augmentation keeps the shape, gives finite values in [0, 1], and the same seed gives
 *   the same pixels.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { decodeImage } from "../../lib/data/_image_decode.ts";
import { augment, DataFileError, imageManifest, resizeImage } from "../../lib/data/mod.ts";
import { rng } from "../../lib/samplers/mod.ts";
import { encode, rgba } from "../data/_images.ts";

Deno.test("decoding arbitrary or mangled bytes gives right-sized pixels or a DataFileError naming the file", async () => {
  const png = await encode("png", 5, 4, rgba(5, 4, (x, y) => [x * 50, y * 60, 7, 255]));
  const jpg = await encode("jpeg", 9, 7, rgba(9, 7, (x, y) => [x * 20, y * 30, 90, 255]));
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 200 }),
        fc.tuple(fc.constantFrom(png, jpg), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 255 }))
          .map(([b, cut, at, v]) => {
            const out = b.slice(0, Math.max(8, cut % (b.length + 1)));
            if (out.length > 8) out[8 + (at % (out.length - 8))] = v;
            return out;
          }),
      ),
      async (bytes) => {
        try {
          const img = await decodeImage(bytes, "fuzz.img");
          assert.ok(img.width >= 1 && img.height >= 1);
          assert.equal(img.data.length, img.width * img.height * 4);
        } catch (e) {
          assert.ok(e instanceof DataFileError, String(e));
          assert.equal(e.file, "fuzz.img");
          assert.match(e.message, /fuzz\.img/);
        }
      },
    ),
    { numRuns: 150 },
  );
});

Deno.test("a manifest of arbitrary text loads with every file inside its folder, or throws naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const field = fc.oneof(
      fc.constantFrom("a.png", "../x.png", "/etc/p.png", "s/../../y.jpg", "./z.JPG", "q.txt", ""),
      fc.string({ maxLength: 12 }),
    );
    const row = fc.array(field, { minLength: 1, maxLength: 3 }).map((r) => r.join(","));
    const text = fc.oneof(
      fc.array(row, { maxLength: 6 }).map((rs) => ["path,label", ...rs].join("\n")),
      fc.string({ maxLength: 80 }),
    );
    await fc.assert(
      fc.asyncProperty(text, fc.boolean(), async (t, json) => {
        const file = `${dir}/m.${json ? "json" : "csv"}`;
        await Deno.writeTextFile(file, json ? JSON.stringify(t.split("\n")) : t);
        try {
          const d = await imageManifest(file, { size: 4, check: "none" });
          for (const f of d.files) {
            assert.ok(f.startsWith(`${dir}/`) && !f.split("/").includes(".."), f);
          }
          assert.ok(d.classNames.length >= 2);
        } catch (e) {
          assert.ok(e instanceof Error);
          assert.ok(e.message.includes(file), e.message);
        }
      }),
      { numRuns: 200 },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("resizeImage stays within the input's range and keeps constants", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer({ min: 1, max: 12 }),
      fc.float({ min: 0, max: 1, noNaN: true }),
      fc.nat(),
      (h, w, c, H, W, k, seed) => {
        const r = rng(seed);
        const src = Float32Array.from({ length: h * w * c }, () => r.float());
        const out = resizeImage(src, [h, w, c], [H, W]);
        assert.equal(out.length, H * W * c);
        const lo = Math.min(...src), hi = Math.max(...src);
        for (const v of out) {
          assert.ok(v >= lo - 1e-5 && v <= hi + 1e-5, `${v} outside [${lo}, ${hi}]`);
        }
        const flat = resizeImage(new Float32Array(h * w * c).fill(k), [h, w, c], [H, W]);
        for (const v of flat) assert.ok(Math.abs(v - k) < 1e-5);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("every augmentation keeps the shape, stays finite in [0, 1], and is seeded", () => {
  const { colorJitter, flip, gaussianBlur, grayscale, randomAffine, randomResizedCrop } = augment;
  const all = [
    flip(),
    grayscale(0.5),
    gaussianBlur({ sigma: [0.1, 3], p: 0.7 }),
    randomAffine({ degrees: 30, translate: 0.2, scale: [0.8, 1.2] }),
    randomResizedCrop(),
    colorJitter({ brightness: 1, contrast: 1, saturation: 1, p: 1 }),
  ];
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 1, max: 8 }),
      fc.constantFrom(1, 3),
      fc.nat(),
      fc.integer({ min: 0, max: all.length - 1 }),
      (h, w, c, seed, which) => {
        const r = rng(seed + 1);
        const img = {
          data: Float32Array.from({ length: h * w * c }, () => r.float()),
          shape: [h, w, c] as [number, number, number],
        };
        const a = all[which](img, rng(seed));
        assert.deepEqual(a.shape, [h, w, c]);
        for (const v of a.data) assert.ok(Number.isFinite(v) && v >= 0 && v <= 1 + 1e-6, `${v}`);
        assert.deepEqual([...a.data], [...all[which](img, rng(seed)).data]);
      },
    ),
    { numRuns: 300 },
  );
});
