/**
 * RGB data is drawn in colour: the ranking gallery, the pair gallery and thumbnailPng (for the
 * interactive report's neighbour thumbnails) keep each pixel's red, green and blue; grey data stays grey.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { rankingGallery } from "../../lib/report/ranking_gallery.ts";
import { pairGallery } from "../../lib/report/pair_gallery.ts";
import { thumbnailPng } from "../../lib/report/_png.ts";
import { thumbnail } from "../../lib/report/_interactive_data.ts";
import { type DecodedPng, decodePng } from "./_inspect.ts";

/** The PNGs of an SVG's images (each `href`, not its `xlink:href` twin) or of a data URI. */
function pngs(text: string): DecodedPng[] {
  return [...text.matchAll(/(?:^| href=")data:image\/png;base64,([A-Za-z0-9+/=]+)/g)].map((m) =>
    decodePng(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)))
  );
}

/** `size` 2 × 2 images with `channels` channels; image i, pixel p, channel c holds f(i, p, c). */
function images(size: number, channels: number, f: (i: number, p: number, c: number) => number) {
  const data = new Float32Array(size * 4 * channels);
  for (let i = 0; i < size; i++) {
    for (let p = 0; p < 4; p++) {
      for (let c = 0; c < channels; c++) data[(i * 4 + p) * channels + c] = f(i, p, c);
    }
  }
  return { images: data, shape: [2, 2, channels], size };
}

/** Image i is pure red, green or blue (i mod 3), its pixel 3 white. */
const primaries = (channels: number) =>
  images(3, channels, (i, p, c) => (p === 3 ? 1 : c === i % 3 ? 1 : c === 3 ? 0.5 : 0));

const pixel = (png: DecodedPng, x: number, y: number) =>
  Array.from(
    png.samples.subarray(
      (y * png.width + x) * png.channels,
      (y * png.width + x + 1) * png.channels,
    ),
  );

const RGB = [[255, 0, 0], [0, 255, 0], [0, 0, 255]];

for (const channels of [3, 4]) {
  Deno.test(`rankingGallery draws ${channels}-channel images in colour`, () => {
    const svg = rankingGallery(primaries(channels), [{
      query: 0,
      neighbours: [{ index: 1, distance: 0.1, correct: false }, {
        index: 2,
        distance: 0.2,
        correct: false,
      }],
    }]);
    const drawn = pngs(svg);
    assertEquals(drawn.length, 3);
    drawn.forEach((png, i) => {
      assertEquals(png.colourType, 2, `image ${i} is truecolour`);
      assertEquals(pixel(png, 0, 0), RGB[i], `image ${i}'s first pixel`);
      assertEquals(pixel(png, png.width - 1, png.height - 1), [255, 255, 255], `image ${i}'s last`);
    });
  });
}

Deno.test("pairGallery draws RGB images in colour, left then right", () => {
  const svg = pairGallery(primaries(3), [{ left: 2, right: 1, score: 0.5, same: false }]);
  const drawn = pngs(svg);
  assertEquals(drawn.map((png) => png.colourType), [2, 2]);
  assertEquals(drawn.map((png) => pixel(png, 0, 0)), [RGB[2], RGB[1]]);
});

Deno.test("RGB values in between keep their colour (rounded to 8 bits)", () => {
  const source = images(1, 3, (_i, p, c) => [0.2, 0.6, 0.9][c] * (p + 1) / 4);
  const png = pngs(pairGallery(source, [{ left: 0, right: 0, score: 1, same: true }]))[0];
  for (let p = 0; p < 4; p++) {
    const expected = [0.2, 0.6, 0.9].map((v) => Math.round(255 * Math.fround(v * (p + 1) / 4)));
    const scale = png.width / 2;
    assertEquals(pixel(png, (p % 2) * scale, Math.floor(p / 2) * scale), expected, `pixel ${p}`);
  }
});

Deno.test("grey images stay grey (one channel) in the galleries", () => {
  const source = images(2, 1, (i, p) => (i === 0 ? p / 3 : 1));
  const drawn = pngs(pairGallery(source, [{ left: 0, right: 1, score: 0.5, same: false }]));
  assertEquals(drawn.map((png) => png.colourType), [0, 0]);
  assertEquals(pixel(drawn[0], 0, 0), [0]);
  assertEquals(pixel(drawn[1], 0, 0), [255]);
});

Deno.test("thumbnailPng (for the interactive report's neighbours) draws RGB rows in colour, block-averaged", () => {
  // one 4 × 4 RGB image: left half red, right half blue; shrunk 2× each block is one colour
  const data = new Float32Array(16 * 3);
  for (let p = 0; p < 16; p++) data[p * 3 + ((p % 4) < 2 ? 0 : 2)] = 1;
  const png = decodePng(thumbnailPng(data, [4, 4, 3], 0, 2));
  assertEquals([png.width, png.height, png.colourType], [2, 2, 2]);
  assertEquals([pixel(png, 0, 0), pixel(png, 1, 0), pixel(png, 0, 1), pixel(png, 1, 1)], [
    [255, 0, 0],
    [0, 0, 255],
    [255, 0, 0],
    [0, 0, 255],
  ]);
  // a grey source keeps the grey thumbnail (channels averaged)
  const grey = decodePng(thumbnailPng(new Float32Array(4).fill(0.5), [2, 2], 0, 2));
  assertEquals([grey.colourType, pixel(grey, 0, 0)[0]], [0, 128]);
});

Deno.test("the interactive page's thumbnails (projector, neighbours) of RGB rows are in colour", () => {
  const source = primaries(3);
  for (let i = 0; i < 3; i++) {
    const png = pngs(thumbnail(source.images, source.shape, i, 8))[0];
    assertEquals([png.colourType, pixel(png, 0, 0)], [2, RGB[i]]);
  }
});
