/**
 * Overrides for stock kernels that are naive loops in wasm for our shapes.
 *
 * @module
 */
import type { KernelFunc, NamedAttrMap, TensorInfo } from "@tensorflow/tfjs-core";
import { composite, type KernelRunner } from "./_composite.ts";

function swapLastTwo(runner: KernelRunner, t: TensorInfo): TensorInfo {
  const rank = t.shape.length;
  const perm = [...Array(rank).keys()];
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return runner.transpose(t, perm);
}

function batchMatMulBody(
  runner: KernelRunner,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const a = attrs.transposeA ? swapLastTwo(runner, inputs.a) : inputs.a;
  const b = attrs.transposeB ? swapLastTwo(runner, inputs.b) : inputs.b;
  return runner.run("BatchMatMul", { a, b }, { transposeA: false, transposeB: false });
}

/**
 * `BatchMatMul` that transposes an operand explicitly first, so the stock kernel always
 * takes its fast path (XNNPACK in wasm is fast only when nothing is transposed).
 */
export function batchMatMul(backendName: string): KernelFunc {
  const stock = composite(batchMatMulBody, backendName);
  return (args) => {
    const attrs = args.attrs ?? {};
    if (!attrs.transposeA && !attrs.transposeB) {
      return composite((r, i) => r.run("BatchMatMul", i, attrs), backendName)(args);
    }
    return stock(args);
  };
}

function fusedMatMulBody(
  runner: KernelRunner,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const a = attrs.transposeA ? swapLastTwo(runner, inputs.a) : inputs.a;
  const b = attrs.transposeB ? swapLastTwo(runner, inputs.b) : inputs.b;
  return runner.run("_FusedMatMul", { ...inputs, a, b }, {
    ...attrs,
    transposeA: false,
    transposeB: false,
  });
}

/** `_FusedMatMul` with transposes made explicit (same reason as {@linkcode batchMatMul}). */
export function fusedMatMul(backendName: string): KernelFunc {
  return composite(fusedMatMulBody, backendName);
}

/**
 * The output of a tile, viewed as `[r0, d0, r1, d1, …]`, is the input viewed as
 * `[1, d0, 1, d1, …]` broadcast. Unit dims are dropped and neighbours of the same kind
 * merged, so the views stay within XNNPACK's six dimensions in practice.
 */
export function tileViews(shape: readonly number[], reps: readonly number[]): [number[], number[]] {
  const pairs: [number, number][] = [];
  shape.forEach((d, i) => {
    if (reps[i] > 1) pairs.push([1, reps[i]]);
    if (d > 1) pairs.push([d, d]);
  });
  const spread: number[] = [];
  const full: number[] = [];
  let last: "broadcast" | "copy" | undefined;
  for (const [a, b] of pairs) {
    const kind = a === 1 ? "broadcast" : "copy";
    if (kind === last) {
      spread[spread.length - 1] *= a;
      full[full.length - 1] *= b;
    } else {
      spread.push(a);
      full.push(b);
    }
    last = kind;
  }
  return spread.length === 0 ? [[1], [1]] : [spread, full];
}

function tileBody(
  runner: KernelRunner,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const reps = attrs.reps as number[];
  const x = inputs.x;
  const outShape = x.shape.map((d, i) => d * reps[i]);
  if (reps.every((r) => r === 1)) return runner.run("Identity", { x });
  if (outShape.some((d) => d === 0)) {
    return runner.run("Fill", {}, { shape: outShape, value: 0, dtype: x.dtype });
  }
  const [spread, full] = tileViews(x.shape, reps);
  const zeros = runner.run("Fill", {}, { shape: full, value: 0, dtype: x.dtype });
  const sum = runner.run("Add", { a: runner.reshape(x, spread), b: zeros });
  return runner.reshape(sum, outShape);
}

/** `Tile` as a broadcasting `Add` of zeros (float32 and int32; stock kernel otherwise). */
export function tile(backendName: string): KernelFunc {
  const fast = composite(tileBody, backendName);
  const stock = composite((r, i, a) => r.run("Tile", i, a), backendName);
  return (args) => {
    const x = (args.inputs as Record<string, TensorInfo>).x;
    const reps = (args.attrs ?? {}).reps as number[];
    const ok = (x.dtype === "float32" || x.dtype === "int32") &&
      tileViews(x.shape, reps)[0].length <= 6;
    return ok ? fast(args) : stock(args);
  };
}
