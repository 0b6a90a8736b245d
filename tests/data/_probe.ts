/**
 * Child process for fashion_mnist_test.ts: runs fashionMnist under restricted permissions
 * and prints the outcome as one JSON line. Argument: JSON of the options plus `offline`.
 */
import { type DownloadProgress, fashionMnist } from "../../lib/data/mod.ts";

const { offline, ...options } = JSON.parse(Deno.args[0]);
const progress: DownloadProgress[] = [];
try {
  const d = await fashionMnist({
    ...options,
    ...(offline ? { fetch: () => Promise.reject(new TypeError("network is unreachable")) } : {}),
    onProgress: (p: DownloadProgress) => progress.push(p),
  });
  let sum = 0;
  for (let i = 0; i < d.images.length; i++) sum += d.images[i];
  console.log(
    JSON.stringify({
      ok: true,
      size: d.size,
      sum,
      progress: progress.length,
      last: progress.at(-1),
    }),
  );
} catch (e) {
  console.log(JSON.stringify({ ok: false, message: (e as Error).message }));
}
