// Shared by the export tests: run an export in a fresh plain-tfjs process and in onnxruntime,
// and compare with likeness's embeddings.
import assert from "node:assert/strict";
import * as ort from "onnxruntime-node";

const root = new URL("../../", import.meta.url).pathname;
const child = new URL("./_plain_tfjs_child.ts", import.meta.url).pathname;

/** Largest |a − b| over two equally long arrays (NaN anywhere gives NaN). */
export function maxDifference(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length, "lengths differ");
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d;
  }
  return m;
}

/**
 * Embeds `x` (`shape`, batch first) with the export in `dir` in a fresh Deno process that
 * imports only @tensorflow/tfjs; returns the embeddings and what the model reported.
 */
export async function embedWithPlainTfjs(
  dir: string,
  x: Float32Array,
  shape: readonly number[],
): Promise<{ embeddings: Float32Array; classes: string[]; metadata: Record<string, unknown> }> {
  const work = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${work}/x.f32`, new Uint8Array(x.buffer, x.byteOffset, x.byteLength));
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        `--allow-read`,
        `--allow-write=${work}`,
        child,
        `${dir}/model.json`,
        `${work}/x.f32`,
        `${work}/y.f32`,
        shape.join(","),
      ],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(
      out.code,
      0,
      `plain tfjs failed:\n${text}\n${new TextDecoder().decode(out.stderr)}`,
    );
    const report = JSON.parse(text.trim().split("\n").at(-1) as string);
    const bytes = await Deno.readFile(`${work}/y.f32`);
    return { embeddings: new Float32Array(bytes.buffer), ...report };
  } finally {
    await Deno.remove(work, { recursive: true });
  }
}

/** The child's own imports: only @tensorflow/tfjs (the test's premise). */
export async function childImports(): Promise<string[]> {
  const text = await Deno.readTextFile(child);
  return [...text.matchAll(/^import .* from "([^"]+)";$/gm)].map((m) => m[1]);
}

/** Embeds `x` with onnxruntime-node from an ONNX file or bytes. */
export async function embedWithOnnxRuntime(
  model: string | Uint8Array,
  x: Float32Array,
  shape: readonly number[],
): Promise<{ embeddings: Float32Array; dims: readonly number[] }> {
  const session = typeof model === "string"
    ? await ort.InferenceSession.create(model)
    : await ort.InferenceSession.create(model);

  try {
    assert.deepEqual(session.inputNames, ["input"]);
    assert.deepEqual(session.outputNames, ["embedding"]);
    const out = await session.run({ input: new ort.Tensor("float32", x, [...shape]) });
    const y = out.embedding;
    return { embeddings: y.data as Float32Array, dims: y.dims };
  } finally {
    await session.release();
  }
}

/** NHWC → NCHW of a batch of images. */
export function toNchw(x: Float32Array, [n, h, w, c]: readonly number[]): Float32Array {
  const y = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < h; i++) {
      for (let j = 0; j < w; j++) {
        for (let k = 0; k < c; k++) {
          y[((b * c + k) * h + i) * w + j] = x[((b * h + i) * w + j) * c + k];
        }
      }
    }
  }
  return y;
}
