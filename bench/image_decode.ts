// Image decoding and streaming: decode throughput of the @jsquash wasm codecs that
// data.imageFolder uses (64×64 and 224×224, JPEG quality 90 and PNG), and the time a training
// loop waits on data.imageBatches for batches of 32 triplets of 64×64 RGB from a folder of
// 256 JPEG files with a 2-batch prefetch (a 30 ms busy loop stands in for the training step),
// decoding on the main thread (workers 0) and in 1 or 2 workers.
//
//   deno run -A bench/image_decode.ts
import { encode as encodeJpeg } from "@jsquash/jpeg";
import { encode as encodePng } from "@jsquash/png";
import { decodeImage } from "../lib/data/_image_decode.ts";
import { imageBatches, imageFolder } from "../lib/data/mod.ts";
import { batch, repeat, seeded, take, triplets } from "../lib/samplers/mod.ts";
import { pipe } from "../lib/pipe.ts";
import * as tf from "@tensorflow/tfjs";

const picture = (s: number, seed: number) => {
  const d = new Uint8ClampedArray(s * s * 4);
  let r = seed;
  for (let y = 0; y < s; y++) {
    for (let x = 0; x < s; x++) {
      r = (r * 1103515245 + 12345) >>> 0;
      const i = (y * s + x) * 4;
      d[i] = (x * 255 / s) ^ (r & 15);
      d[i + 1] = y * 255 / s;
      d[i + 2] = ((x + y) * 128 / s + (r >>> 28)) & 255;
      d[i + 3] = 255;
    }
  }
  return { data: d, width: s, height: s } as unknown as ImageData;
};

console.log("| Codec | Format | Size | images/s |\n|---|---|---|---|");
for (const s of [64, 224]) {
  const img = picture(s, 1);
  const files = {
    jpeg: new Uint8Array(await encodeJpeg(img, { quality: 90 })),
    png: new Uint8Array(await encodePng(img)),
  };
  for (const [fmt, bytes] of Object.entries(files)) {
    for (let i = 0; i < 5; i++) await decodeImage(bytes, "x");
    const n = s === 64 ? 500 : 100;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await decodeImage(bytes, "x");
    const rate = n / ((performance.now() - t0) / 1000);
    console.log(`| @jsquash/${fmt} | ${fmt.toUpperCase()} | ${s}×${s} | ${rate.toFixed(0)} |`);
  }
}

await tf.setBackend("cpu");
const dir = await Deno.makeTempDir();
for (let c = 0; c < 8; c++) {
  await Deno.mkdir(`${dir}/c${c}`);
  for (let i = 0; i < 32; i++) {
    const bytes = new Uint8Array(await encodeJpeg(picture(96, c * 100 + i), { quality: 90 }));
    await Deno.writeFile(`${dir}/c${c}/${i}.jpg`, bytes);
  }
}
for (const workers of [0, 1, 2]) {
  const d = await imageFolder(dir, { size: 64, cacheBytes: 2 * 2 ** 20, workers });
  const steps = 23; // the first 3 (worker start-up, first decodes) are not counted
  const stats = { waitedMs: 0, batches: 0 };
  let t0 = performance.now();
  for await (
    const t of imageBatches(d, { ahead: 2, stats })(
      pipe(triplets(d), repeat(), batch(32), take(steps), seeded(1)),
    )
  ) {
    t.anchor.dataSync();
    if (stats.batches === 3) {
      stats.waitedMs = 0;
      t0 = performance.now();
    }
    const until = performance.now() + 30; // a step keeps the main thread busy, as training does
    while (performance.now() < until) { /* busy */ }
    await Promise.resolve();
  }
  const total = performance.now() - t0;
  console.log(
    `imageBatches, workers ${workers}, 32 triplets of 64×64 RGB from 96×96 JPEG, ahead 2, 30 ms busy step: ` +
      `${(stats.waitedMs / (steps - 3)).toFixed(1)} ms waited per step, ${
        (total / (steps - 3)).toFixed(1)
      } ms per step in all; cache peak ${(d.cache.peakBytes / 2 ** 20).toFixed(1)} MiB`,
  );
}
await Deno.remove(dir, { recursive: true });
