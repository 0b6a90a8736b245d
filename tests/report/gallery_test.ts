import assert from "node:assert/strict";
import { pairGallery, rankingGallery, renderPng } from "../../lib/report/mod.ts";
import { decodePng, parseXml, texts, walk } from "./_inspect.ts";

// Six 4 × 3 images; image i has pixel p = ((i + p) % 5) / 4.
const source = {
  images: new Float32Array(6 * 12).map((_, k) => ((Math.floor(k / 12) + (k % 12)) % 5) / 4),
  shape: [4, 3, 1],
  size: 6,
  labels: [0, 0, 1, 1, 2, 2],
  classNames: ["Coat", "Bag", "Sandal <&>"],
};

function images(svg: string) {
  return [...walk(parseXml(svg))].filter((e) => e.name === "image");
}

function pixelsOf(uri: string) {
  assert.ok(uri.startsWith("data:image/png;base64,"));
  const bytes = Uint8Array.from(atob(uri.slice(22)), (c) => c.charCodeAt(0));
  return decodePng(bytes);
}

Deno.test("rankingGallery: query plus neighbours, marks and distances", () => {
  const svg = rankingGallery(source, [
    {
      query: 0,
      neighbours: [
        { index: 1, distance: 0.125, correct: true },
        { index: 2, distance: 0.5, correct: false },
        { index: 4, distance: 0.75, correct: false },
      ],
    },
    { query: 5, neighbours: [{ index: 4, distance: 0.25, correct: true }] },
  ]);
  assert.equal(images(svg).length, 4 + 2);
  const words = texts(svg);
  assert.equal(words.filter((w) => w.startsWith("✓")).length, 2);
  assert.equal(words.filter((w) => w.startsWith("✗")).length, 2);
  assert.ok(words.includes("✓ d=0.125") && words.includes("✗ d=0.500"));
  assert.ok(words.includes("Sandal &lt;&amp;&gt;"), "class names are escaped");
  const frames = [...walk(parseXml(svg))].filter((e) => e.name === "rect" && e.attrs.stroke);
  assert.equal(frames.length, 4);
});

Deno.test("rankingGallery: embedded images decode to the source pixels", () => {
  const svg = rankingGallery(source, [{ query: 3, neighbours: [] }]);
  const png = pixelsOf(images(svg)[0].attrs.href);
  // 3 × 4 pixels drawn in a 56 px cell: enlarged 8 times (the cap) by pixel repetition.
  assert.equal(png.width, 24);
  assert.equal(png.height, 32);
  const expected = Array.from({ length: 12 }, (_, p) => Math.round((((3 + p) % 5) / 4) * 255));
  const got = Array.from({ length: 32 * 24 }, (_, q) => png.samples[q]);
  got.forEach((v, q) => {
    const p = Math.floor(Math.floor(q / 24) / 8) * 3 + Math.floor((q % 24) / 8);
    assert.equal(v, expected[p], `pixel ${q}`);
  });
});

Deno.test("rankingGallery: maxNeighbours and errors", () => {
  const many = {
    query: 0,
    neighbours: [1, 2, 3, 4, 5].map((i) => ({ index: i, distance: i, correct: false })),
  };
  assert.equal(images(rankingGallery(source, [many], { maxNeighbours: 2 })).length, 3);
  assert.throws(() => rankingGallery(source, []), /queries are empty/);
  assert.throws(
    () => rankingGallery(source, [{ query: 6, neighbours: [] }]),
    /image index must be in \[0, 6\): current index is 6/,
  );
  assert.throws(
    () => rankingGallery({ ...source, size: 7 }, [many]),
    /size × 12 values \(size 7\): current length is 72/,
  );
});

Deno.test("pairGallery: two images per pair, truth, score and verdict", async () => {
  const svg = pairGallery(source, [
    { left: 0, right: 1, score: 0.2, same: true, predictedSame: true },
    { left: 2, right: 4, score: 0.3, same: false, predictedSame: true },
    { left: 3, right: 5, score: 1.5, same: false },
  ], { columns: 2 });
  assert.equal(images(svg).length, 6);
  const words = texts(svg);
  assert.ok(words.includes("same: Coat"));
  assert.ok(words.includes("Bag ≠ Sandal &lt;&amp;&gt;"));
  assert.ok(words.includes("d=0.200 ✓ said same"));
  assert.ok(
    words.includes("d=0.300 ✗ said different") === false && words.includes("d=0.300 ✗ said same"),
  );
  assert.ok(words.includes("d=1.50"));
  const png = decodePng(await renderPng(svg, { scale: 1 }));
  assert.equal(png.width, Number(svg.match(/width="(\d+)"/)?.[1]));
  assert.throws(
    () => pairGallery(source, [{ left: 0, right: 1, score: NaN, same: true }]),
    /pair 0 has NaN/,
  );
});
