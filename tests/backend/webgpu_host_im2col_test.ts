// The webgpu im2col program (patches of a convolution's input in one dispatch) against a
// plain-loop reference, and the dispatch count of the webgpu filter gradient it serves. Needs
// a WebGPU adapter (on Debian, mesa-vulkan-drivers gives a software one); ignored without.
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import type { NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { useBackend } from "../../lib/backend/mod.ts";
import { type Im2colGeometry, im2colWebgpu } from "../../lib/backend/_webgpu_im2col.ts";
import {
  getWebgpuFilterGradient,
  setWebgpuFilterGradient,
} from "../../lib/backend/_conv_kernels.ts";
import { missing } from "../_require.ts";
import { randomSpec } from "./_compare.ts";

const gpu = (globalThis.navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
const adapter = gpu === undefined ? null : await gpu.requestAdapter().catch(() => null);
const reason = gpu === undefined ? "navigator.gpu is undefined" : "navigator.gpu gave no adapter";
const ignore = missing(
  "webgpu",
  adapter === null || adapter === undefined
    ? `${reason} (install a Vulkan driver, e.g. mesa-vulkan-drivers)`
    : undefined,
);

/** Patches by plain loops: [outRows, KH·KW·Ci], zero outside x and past N·OH·OW. */
function reference(x: number[], shape: number[], g: Im2colGeometry, outRows: number): number[] {
  const [n, h, w, ci] = shape;
  const k = g.kh * g.kw * ci;
  const out = new Array(outRows * k).fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < g.oh; y++) {
      for (let xo = 0; xo < g.ow; xo++) {
        const row = (b * g.oh + y) * g.ow + xo;
        for (let i = 0; i < g.kh; i++) {
          for (let j = 0; j < g.kw; j++) {
            const iy = y * g.sh + i * g.dh - g.top;
            const ix = xo * g.sw + j * g.dw - g.left;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let c = 0; c < ci; c++) {
              out[row * k + (i * g.kw + j) * ci + c] = x[((b * h + iy) * w + ix) * ci + c];
            }
          }
        }
      }
    }
  }
  return out;
}

Deno.test({
  name: "webgpu im2col matches plain loops (padding, stride, dilation, extra zero rows)",
  ignore,
  async fn() {
    await useBackend("webgpu");
    const before = tf.memory().numTensors;
    const cases: { shape: number[]; g: Im2colGeometry; extra: number }[] = [
      {
        shape: [2, 5, 6, 3],
        g: { kh: 3, kw: 3, oh: 5, ow: 6, sh: 1, sw: 1, dh: 1, dw: 1, top: 1, left: 1 },
        extra: 0,
      },
      {
        shape: [3, 9, 9, 2],
        g: { kh: 3, kw: 2, oh: 4, ow: 4, sh: 2, sw: 2, dh: 1, dw: 2, top: 0, left: 0 },
        extra: 5,
      },
      {
        shape: [1, 7, 7, 1],
        g: { kh: 2, kw: 2, oh: 4, ow: 4, sh: 2, sw: 2, dh: 2, dw: 2, top: 1, left: 1 },
        extra: 3,
      },
    ];
    for (const { shape, g, extra } of cases) {
      const values = Array.from(new Float32Array(randomSpec(shape, 7).values));
      const x = tf.tensor(values, shape);
      const rows = shape[0] * g.oh * g.ow + extra;
      const info = im2colWebgpu(tf.backend(), x as unknown as TensorInfo, g, rows);
      const out = tf.engine().makeTensorFromTensorInfo(info);
      assert.deepEqual(out.shape, [rows, g.kh * g.kw * shape[3]]);
      const got = Array.from(await out.data());
      assert.deepEqual(got, reference(values, shape, g, rows), `patches of [${shape}]`);
      tf.dispose([x, out]);
    }
    const x = tf.zeros([1, 3, 3, 1]);
    assert.throws(
      () =>
        im2colWebgpu(tf.backend(), x as unknown as TensorInfo, {
          kh: 1,
          kw: 1,
          oh: 3,
          ow: 3,
          sh: 1,
          sw: 1,
          dh: 1,
          dw: 1,
          top: 0,
          left: 0,
        }, 8),
      /outRows must be at least 9: got 8/,
    );
    x.dispose();
    assert.equal(tf.memory().numTensors, before);
  },
});

Deno.test({
  name: "the webgpu filter gradient of a 3×3 convolution runs in at most 5 dispatches",
  ignore,
  async fn() {
    await useBackend("webgpu");
    const saved = getWebgpuFilterGradient();
    const backend = tf.backend() as unknown as { runWebGPUProgram(...a: unknown[]): unknown };
    const original = backend.runWebGPUProgram;
    let dispatches = 0;
    backend.runWebGPUProgram = function (...a: unknown[]) {
      dispatches++;
      return original.apply(this, a);
    };
    try {
      const x = tf.randomUniform([4, 14, 14, 8], -1, 1, "float32", 1);
      const dy = tf.randomUniform([4, 14, 14, 16], -1, 1, "float32", 2);
      await Promise.all([x.data(), dy.data()]);
      for (const variant of ["batched", "im2col"] as const) {
        // Blocks of 300 rows: 784 rows in 3 blocks, the last padded.
        setWebgpuFilterGradient(variant, { chunkRows: 300 });
        dispatches = 0;
        const attrs = {
          strides: 1,
          pad: "same",
          dataFormat: "NHWC",
          dimRoundingMode: undefined,
          dilations: 1,
          filterShape: [3, 3, 8, 16],
        } as unknown as NamedAttrMap;
        const out = tf.engine().runKernel("Conv2DBackpropFilter", { x, dy }, attrs) as tf.Tensor;
        const n = dispatches;
        await out.data();
        out.dispose();
        // im2col + (pad dy) + BatchMatMul + (Sum over blocks); before: a pad, 9 slices and a
        // concat in place of the im2col, and a pad of the patches (14–16 dispatches).
        assert.ok(n <= 5, `${variant}: ${n} dispatches`);
      }
      tf.dispose([x, dy]);
    } finally {
      backend.runWebGPUProgram = original;
      setWebgpuFilterGradient(saved.variant, { chunkRows: saved.chunkRows });
    }
  },
});
