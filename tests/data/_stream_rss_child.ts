// Child of image_stream_memory_test.ts: streams every image of a folder many times through
// data.imageBatches with the cache limit given, and prints, after a forced GC, the growth of
// live memory (V8 heap + ArrayBuffers) and of the resident set, beside the cache's byte count.
//   deno run --allow-read --v8-flags=--expose-gc _stream_rss_child.ts DIR CACHE_BYTES
import * as tf from "@tensorflow/tfjs";
import { imageBatches, imageFolder } from "../../lib/data/mod.ts";
import { batch, repeat, seeded, take, triplets } from "../../lib/samplers/mod.ts";
import { pipe } from "../../lib/pipe.ts";

const [dir, cacheArg] = Deno.args;
await tf.setBackend("cpu");
const gc = (globalThis as { gc?: () => void }).gc!;
const d = await imageFolder(dir, { size: 96, cacheBytes: Number(cacheArg) });
let maxCache = 0;
const run = async (steps: number, seed: number) => {
  for await (
    const t of imageBatches(d, { ahead: 2 })(
      pipe(triplets(d), repeat(), batch(16), take(steps), seeded(seed)),
    )
  ) {
    t.anchor.dataSync();
    maxCache = Math.max(maxCache, d.cache.bytes);
  }
};
const measure = async () => {
  for (let i = 0; i < 3; i++) { // ArrayBuffers are released after GC by a later task
    gc();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = Deno.memoryUsage();
  return { live: m.heapUsed + m.external, rss: m.rss };
};
await run(4, 0); // warm up: codecs, tfjs kernels
const before = await measure();
await run(60, 1); // 60 × 48 = 2,880 images: every file about 5 times
const middle = await measure();
await run(60, 2);
const after = await measure();
console.log(JSON.stringify({
  live: after.live - before.live,
  rssFirst: middle.rss - before.rss,
  rssSecond: after.rss - middle.rss,
  maxCache,
  limit: d.cache.maxBytes,
  peak: d.cache.peakBytes,
  tensors: tf.memory().numTensors,
}));
