import assert from "node:assert/strict";
import { cmcPlot, renderPng, renderSvg } from "../../lib/report/mod.ts";
import { darkPixels, decodePng } from "./_inspect.ts";

const blank = (w: number, h: number, body = "") =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`;

Deno.test("renderPng: PNG signature and IHDR size = SVG size × scale", async () => {
  const png = await renderPng(blank(30, 20), { scale: 3 });
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const view = new DataView(png.buffer, png.byteOffset);
  assert.equal(String.fromCharCode(...png.subarray(12, 16)), "IHDR");
  assert.equal(view.getUint32(16), 90);
  assert.equal(view.getUint32(20), 60);
  const image = decodePng(png);
  assert.equal(darkPixels(image), 0, "a blank SVG on white is white");
});

Deno.test("renderPng: text renders with the bundled font (no system fonts)", async () => {
  const withText = decodePng(
    await renderPng(
      blank(120, 30, '<text x="5" y="22" font-size="18" font-family="sans-serif">Trouser</text>'),
    ),
  );
  assert.ok(darkPixels(withText) > 100, `dark pixels ${darkPixels(withText)}`);
  // An unknown family falls back to DejaVu Sans rather than drawing nothing.
  const fallback = decodePng(
    await renderPng(
      blank(120, 30, '<text x="5" y="22" font-size="18" font-family="NoSuchFont">Trouser</text>'),
    ),
  );
  assert.ok(darkPixels(fallback) > 100);
});

Deno.test("renderPng: a plot rasterises at its SVG size", async () => {
  const svg = await renderSvg(cmcPlot([0.5, 0.7, 0.9]));
  const width = Number(svg.match(/width="(\d+)"/)?.[1]);
  const height = Number(svg.match(/height="(\d+)"/)?.[1]);
  const image = decodePng(await renderPng(svg));
  assert.equal(image.width, 2 * width);
  assert.equal(image.height, 2 * height);
  assert.ok(darkPixels(image) > 1000, "axes, labels and the line are drawn");
});

Deno.test("renderPng: bad input gets a clear error", async () => {
  await assert.rejects(
    () => renderPng("hello"),
    /not an SVG document: current input starts "hello"/,
  );
  await assert.rejects(
    () => renderPng(blank(2, 2), { scale: 0 }),
    /scale must be a positive number: current scale is 0/,
  );
});
