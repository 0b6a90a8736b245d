/**
 * Benchmark: how long a real training step waits on decoding when it learns from a folder of
 * JPEG files. A folder of 256 JPEG files of 96×96 (8 classes) is read by `data.imageFolder`
 * at 64×64 RGB with a 2 MiB cache (so nearly every image is decoded again at every use), and
 * `data.imageBatches` (2 batches ahead, random flips) feeds 32 triplets (96 images) per step
 * to a small ResNet, `pipe(resnet({ stemStride: 2 }), embedding(32), l2Normalize())`, trained
 * with the triplet margin loss. Prints, for 0, 1 and 2 decoding workers: the decode throughput
 * of the folder alone, the milliseconds each step waited for its batch (steps 4 to 4 + STEPS),
 * and the whole step.
 *
 * Run: `deno run -A bench/image_folder.ts [backend] [steps]` (backend default wasm).
 *
 * @module
 */
import { encode as encodeJpeg } from "@jsquash/jpeg";
import { useBackend } from "../lib/backend/mod.ts";
import { resnet } from "../lib/backbones/mod.ts";
import { embedding, l2Normalize, triplet } from "../lib/branches/mod.ts";
import { compile } from "../lib/compile/mod.ts";
import { augment, imageBatches, imageFolder } from "../lib/data/mod.ts";
import { tripletMargin } from "../lib/losses/mod.ts";
import { pipe } from "../lib/pipe.ts";
import { batch, repeat, seeded, take, triplets } from "../lib/samplers/mod.ts";

const backendName = (Deno.args[0] ?? "wasm") as "wasm" | "native" | "cpu";
const STEPS = Number(Deno.args[1] ?? 10);
const WARMUP = 3;

/** A synthetic photo-like RGB picture (smooth gradients and a disc), seeded by `k`. */
function picture(side: number, k: number): ImageData {
  const data = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const disc = (x - side / 2) ** 2 + (y - side / 2) ** 2 < (side / 4 + (k % 7)) ** 2;
      const i = (y * side + x) * 4;
      data[i] = (x * 3 + k * 17) % 256;
      data[i + 1] = disc ? 200 : (y * 2 + k * 5) % 256;
      data[i + 2] = ((x + y) * 2 + k) % 256;
      data[i + 3] = 255;
    }
  }
  return { data, width: side, height: side, colorSpace: "srgb" } as ImageData;
}

const backend = (await useBackend(backendName)).name;
const dir = await Deno.makeTempDir({ prefix: "likeness_bench_folder_" });
for (let c = 0; c < 8; c++) {
  await Deno.mkdir(`${dir}/c${c}`);
  for (let i = 0; i < 32; i++) {
    const bytes = new Uint8Array(await encodeJpeg(picture(96, c * 100 + i), { quality: 90 }));
    await Deno.writeFile(`${dir}/c${c}/${i}.jpg`, bytes);
  }
}
console.log(
  `backend ${backend}, ${navigator.hardwareConcurrency} cores, load average ${
    Deno.loadavg().map((x) => x.toFixed(1)).join(" ")
  }`,
);
console.log(
  "| workers | decode alone (images/s) | waited per step | whole step | step without data |",
);
console.log("| ---: | ---: | ---: | ---: | ---: |");
for (const workers of [0, 1, 2]) {
  const folder = await imageFolder(dir, { size: 64, cacheBytes: 2 * 2 ** 20, workers });
  // decode throughput of the folder through the dataset (all 256 images, twice)
  const all = Array.from({ length: folder.size }, (_, i) => i);
  await folder.load(all.slice(0, 16));
  let t = performance.now();
  await folder.load(all);
  await folder.load(all);
  const decodeRate = (2 * folder.size) / ((performance.now() - t) / 1000);

  const program = compile({
    model: triplet(pipe(resnet({ stemStride: 2 }), embedding(32), l2Normalize())),
    loss: tripletMargin(),
    inputShape: [64, 64, 3],
    seed: 1,
  });
  const stats = { waitedMs: 0, batches: 0 };
  const batches = pipe(triplets(folder), repeat(), batch(32), take(WARMUP + STEPS), seeded(1));
  const stream = imageBatches(folder, { ahead: 2, stats, augment: augment.flip(), seed: 1 });
  let computeMs = 0;
  t = performance.now();
  for await (const b of stream(batches)) {
    const s = performance.now();
    const loss = program.trainStep(b);
    await loss.data();
    loss.dispose();
    computeMs += performance.now() - s;
    if (stats.batches === WARMUP) {
      // the first steps (worker start-up, first decodes, kernel warm-up) are not counted
      stats.waitedMs = 0;
      computeMs = 0;
      t = performance.now();
    }
  }
  const total = performance.now() - t;
  console.log(
    `| ${workers} | ${decodeRate.toFixed(0)} | ${(stats.waitedMs / STEPS).toFixed(1)} ms | ${
      (total / STEPS).toFixed(0)
    } ms | ${(computeMs / STEPS).toFixed(0)} ms |`,
  );
  program.dispose();
}
await Deno.remove(dir, { recursive: true });
