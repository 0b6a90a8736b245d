/**
 * Builds the bundled sample in lib/data/sample/ from the Fashion-MNIST test set: the first
 * 100 images of each class, in test-set order, as gzipped IDX files.
 *
 *   deno run --allow-read --allow-write tests/data/_make_sample.ts [/usr/share/datasets/fashion-mnist]
 */
import { gzipSync } from "node:zlib";
import { readIdx } from "../../lib/data/read_idx.ts";
import { writeFileAtomic } from "../../lib/data/_fs.ts";

/** Indices of the first `perClass` samples of each class, in order. */
export function sampleIndices(labels: ArrayLike<number>, perClass: number): number[] {
  const taken = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const n = taken.get(labels[i]) ?? 0;
    if (n < perClass) {
      out.push(i);
      taken.set(labels[i], n + 1);
    }
  }
  return out;
}

/** Raw (uncompressed) IDX bytes of the sample: [images, labels]. */
export async function makeSample(dir: string): Promise<[Uint8Array, Uint8Array]> {
  const images = await readIdx(`${dir}/t10k-images-idx3-ubyte.gz`);
  const labels = await readIdx(`${dir}/t10k-labels-idx1-ubyte.gz`);
  const picked = sampleIndices(labels.data, 100);
  const [, h, w] = images.shape;
  const img = new Uint8Array(16 + picked.length * h * w);
  const view = new DataView(img.buffer);
  view.setUint32(0, 0x00000803);
  view.setUint32(4, picked.length);
  view.setUint32(8, h);
  view.setUint32(12, w);
  picked.forEach((i, j) =>
    img.set(images.data.subarray(i * h * w, (i + 1) * h * w), 16 + j * h * w)
  );
  const lab = new Uint8Array(8 + picked.length);
  new DataView(lab.buffer).setUint32(0, 0x00000801);
  new DataView(lab.buffer).setUint32(4, picked.length);
  picked.forEach((i, j) => lab[8 + j] = labels.data[i]);
  return [img, lab];
}

if (import.meta.main) {
  const dir = Deno.args[0] ?? "/usr/share/datasets/fashion-mnist";
  const [img, lab] = await makeSample(dir);
  const out = new URL("../../lib/data/sample/", import.meta.url);
  await writeFileAtomic(
    new URL("sample-images-idx3-ubyte.gz", out).pathname,
    gzipSync(img, { level: 9 }),
  );
  await writeFileAtomic(
    new URL("sample-labels-idx1-ubyte.gz", out).pathname,
    gzipSync(lab, { level: 9 }),
  );
  console.log(`wrote ${lab.length - 8} samples to ${out.pathname}`);
}
