/**
 * Writes a {@linkcode Graph} as an ONNX model (opset 17, IR version 8) with protobufjs.
 *
 * tfjs is channels-last (NHWC); ONNX's Conv, pooling and batch-norm are channels-first
 * (NCHW). Inside the ONNX graph every rank-4 value is NCHW: the input is transposed once at
 * the start (unless the caller asks for an NCHW input), convolution kernels are transposed
 * from `[kh, kw, in, out]` to `[out, in, kh, kw]`, and a flatten of a rank-4 value transposes
 * back to NHWC first so that features come in tfjs's order.
 *
 * @module
 */
import protobuf from "protobufjs";
import type { ExportActivation, Graph, Op } from "./_graph.ts";
import { ONNX_SCHEMA } from "./_onnx_schema.ts";

/** How the ONNX model takes images: `"nhwc"` as tfjs and likeness, or `"nchw"`. */
export type InputLayout = "nhwc" | "nchw";

/** The ONNX opset the export targets. */
export const OPSET = 17;

const FLOAT = 1;
const ATTR = { FLOAT: 1, INT: 2, FLOATS: 6, INTS: 7 } as const;

interface Attribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  floats?: number[];
  ints?: number[];
}

interface NodeProto {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: Attribute[];
}

interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

const ints = (name: string, values: readonly number[]): Attribute => ({
  name,
  type: ATTR.INTS,
  ints: [...values],
});
const int = (name: string, value: number): Attribute => ({ name, type: ATTR.INT, i: value });
const float = (name: string, value: number): Attribute => ({ name, type: ATTR.FLOAT, f: value });

let root: protobuf.Root | undefined;

/** Explicit ONNX pads `[begin…, end…]` of TensorFlow's "same"/"valid" (extra at the end). */
export function padsFor(
  padding: "same" | "valid",
  size: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
): number[] {
  const begin: number[] = [];
  const end: number[] = [];
  size.forEach((n, i) => {
    if (padding === "valid") {
      begin.push(0);
      end.push(0);
      return;
    }
    const effective = (kernel[i] - 1) * dilations[i] + 1;
    const out = Math.ceil(n / strides[i]);
    const total = Math.max((out - 1) * strides[i] + effective - n, 0);
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  });
  return [...begin, ...end];
}

/** Encodes `graph` as ONNX protobuf bytes. */
export function onnxBytes(
  graph: Graph,
  options: { layout: InputLayout; metadata: Record<string, unknown>; docString: string },
): Uint8Array {
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const names = new Set<string>();
  const unique = (base: string): string => {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, "_");
    let name = clean;
    for (let i = 2; names.has(name); i++) name = `${clean}_${i}`;
    names.add(name);
    return name;
  };
  const node = (
    opType: string,
    input: string[],
    base: string,
    attribute: Attribute[] = [],
    output = unique(base),
  ): string => {
    nodes.push({ name: unique(`${base}/${opType}`), opType, input, output: [output], attribute });
    return output;
  };
  const constant = (base: string, data: Float32Array, dims: readonly number[]): string => {
    const name = unique(base);
    initializers.push({
      name,
      dims: [...dims],
      dataType: FLOAT,
      rawData: new Uint8Array(
        data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      ),
    });
    return name;
  };
  const rankOf = (id: string) => (graph.values.get(id)?.shape.length ?? 0) + 1;
  /** The ONNX axis of tfjs's last axis (channels): 1 for NCHW values, else the last. */
  const lastAxis = (id: string) => (rankOf(id) === 4 ? 1 : rankOf(id) - 1);
  const refuse = (op: Op, why: string) =>
    new Error(`Cannot export layer ${op.name} to ONNX as ${why}`);

  const activate = (x: string, a: ExportActivation, base: string, axis: number): string => {
    switch (a) {
      case "linear":
        return x;
      case "relu":
        return node("Relu", [x], base);
      case "relu6":
        return node("Clip", [
          x,
          constant(`${base}/min`, new Float32Array([0]), []),
          constant(`${base}/max`, new Float32Array([6]), []),
        ], base);
      case "elu":
        return node("Elu", [x], base, [float("alpha", 1)]);
      case "selu":
        // tfjs's constants (Klambauer et al.), which ONNX's defaults round the same way.
        return node("Selu", [x], base, [
          float("alpha", 1.6732632423543772),
          float("gamma", 1.0507009873554805),
        ]);
      case "tanh":
        return node("Tanh", [x], base);
      case "sigmoid":
        return node("Sigmoid", [x], base);
      case "hardSigmoid":
        return node("HardSigmoid", [x], base, [float("alpha", 0.2), float("beta", 0.5)]);
      case "softplus":
        return node("Softplus", [x], base);
      case "softsign":
        return node("Softsign", [x], base);
      case "swish":
        return node("Mul", [x, node("Sigmoid", [x], `${base}/sigmoid`)], base);
      case "softmax":
        return node("Softmax", [x], base, [int("axis", axis)]);
    }
  };

  // The input, in NCHW inside the graph.
  const inputShape = graph.values.get(graph.input)?.shape ?? [];
  const inputName = unique("input");
  const image = inputShape.length === 3;
  const outsideShape = image && options.layout === "nchw"
    ? [inputShape[2], inputShape[0], inputShape[1]]
    : [...inputShape];
  const ids = new Map<string, string>();
  ids.set(
    graph.input,
    image && options.layout === "nhwc"
      ? node("Transpose", [inputName], "input_nchw", [ints("perm", [0, 3, 1, 2])])
      : inputName,
  );

  for (const op of graph.ops) {
    const x = ids.get(op.inputs[0]) as string;
    const rank = rankOf(op.inputs[0]);
    let y: string;
    switch (op.op) {
      case "conv2d": {
        const [kh, kw, cin, cout] = op.kernelShape;
        const w = new Float32Array(op.kernel.length);
        for (let r = 0; r < kh; r++) {
          for (let s = 0; s < kw; s++) {
            for (let i = 0; i < cin; i++) {
              for (let o = 0; o < cout; o++) {
                w[((o * cin + i) * kh + r) * kw + s] =
                  op.kernel[((r * kw + s) * cin + i) * cout + o];
              }
            }
          }
        }
        const shape = graph.values.get(op.inputs[0])?.shape ?? [];
        const inputs = [x, constant(`${op.name}/kernel`, w, [cout, cin, kh, kw])];
        if (op.bias) inputs.push(constant(`${op.name}/bias`, op.bias, [cout]));
        const conv = node(
          "Conv",
          inputs,
          op.activation === "linear" ? op.name : `${op.name}/conv`,
          [
            ints("kernel_shape", [kh, kw]),
            ints("strides", op.strides),
            ints("dilations", op.dilations),
            ints(
              "pads",
              padsFor(op.padding, shape.slice(0, 2), [kh, kw], op.strides, op.dilations),
            ),
          ],
        );
        y = activate(conv, op.activation, op.name, 1);
        break;
      }
      case "dense": {
        if (rank === 4) {
          throw refuse(
            op,
            `its input has rank 4 ([n, height, width, channels]): flatten or pool it first`,
          );
        }
        const kernel = constant(`${op.name}/kernel`, op.kernel, op.kernelShape);
        const bias = op.bias ? constant(`${op.name}/bias`, op.bias, [op.kernelShape[1]]) : "";
        const base = op.activation === "linear" ? op.name : `${op.name}/dense`;
        // Gemm for [n, features]; MatMul (+ Add) on the last axis of higher ranks, as tfjs.
        const product = rank === 2
          ? node("Gemm", bias ? [x, kernel, bias] : [x, kernel], base)
          : bias
          ? node("Add", [node("MatMul", [x, kernel], `${op.name}/matmul`), bias], base)
          : node("MatMul", [x, kernel], base);
        y = activate(product, op.activation, op.name, rank - 1);
        break;
      }
      case "batchNorm": {
        // Inference batch-norm as one multiply and one add per channel (any rank).
        const c = op.gamma.length;
        const a = new Float32Array(c);
        const b = new Float32Array(c);
        for (let i = 0; i < c; i++) {
          a[i] = op.gamma[i] / Math.sqrt(op.variance[i] + op.epsilon);
          b[i] = op.beta[i] - op.mean[i] * a[i];
        }
        const dims = rank === 4 ? [c, 1, 1] : [c];
        const scaled = node("Mul", [x, constant(`${op.name}/scale`, a, dims)], `${op.name}/mul`);
        y = node("Add", [scaled, constant(`${op.name}/shift`, b, dims)], op.name);
        break;
      }
      case "activation":
        y = activate(x, op.activation, op.name, lastAxis(op.inputs[0]));
        break;
      case "pool2d": {
        const shape = graph.values.get(op.inputs[0])?.shape ?? [];
        y = node(op.kind === "max" ? "MaxPool" : "AveragePool", [x], op.name, [
          ints("kernel_shape", op.poolSize),
          ints("strides", op.strides),
          ints("pads", padsFor(op.padding, shape.slice(0, 2), op.poolSize, op.strides, [1, 1])),
        ]);
        break;
      }
      case "globalPool2d": {
        const pooled = node(
          op.kind === "max" ? "GlobalMaxPool" : "GlobalAveragePool",
          [x],
          `${op.name}/pool`,
        );
        y = node("Flatten", [pooled], op.name, [int("axis", 1)]);
        break;
      }
      case "flatten": {
        const nhwc = rank === 4
          ? node("Transpose", [x], `${op.name}/nhwc`, [ints("perm", [0, 2, 3, 1])])
          : x;
        y = node("Flatten", [nhwc], op.name, [int("axis", 1)]);
        break;
      }
      case "add": {
        const inputs = op.inputs.map((id) => ids.get(id) as string);
        y = node(inputs.length === 2 ? "Add" : "Sum", inputs, op.name);
        break;
      }
      case "l2Normalize": {
        const axis = lastAxis(op.inputs[0]);
        const squares = node("ReduceSumSquare", [x], `${op.name}/sum_squares`, [
          ints("axes", [axis]),
          int("keepdims", 1),
        ]);
        const floor = constant(
          `${op.name}/epsilon_squared`,
          new Float32Array([op.epsilon * op.epsilon]),
          [],
        );
        const norm = node(
          "Sqrt",
          [node("Max", [squares, floor], `${op.name}/max`)],
          `${op.name}/norm`,
        );
        y = node("Div", [x, norm], op.name);
        break;
      }
    }
    ids.set(op.output, y);
  }

  const outputShape = graph.values.get(graph.output)?.shape ?? [];
  if (outputShape.length !== 1) {
    throw new Error(
      `Cannot export embedder to ONNX as its output must be [n, features]: current shape is [n, ${
        outputShape.join(", ")
      }]`,
    );
  }
  const outputName = "embedding";
  names.add(outputName);
  node("Identity", [ids.get(graph.output) as string], "output", [], outputName);

  const tensorType = (dims: readonly number[]) => ({
    tensorType: {
      elemType: FLOAT,
      shape: { dim: [{ dimParam: "batch" }, ...dims.map((d) => ({ dimValue: d }))] },
    },
  });
  const model = {
    irVersion: 8,
    producerName: "likeness",
    producerVersion: "exportEmbedder",
    docString: options.docString,
    opsetImport: [{ domain: "", version: OPSET }],
    metadataProps: Object.entries(options.metadata).map(([key, value]) => ({
      key,
      value: typeof value === "string" ? value : JSON.stringify(value),
    })),
    graph: {
      name: "embedder",
      node: nodes,
      initializer: initializers,
      input: [{ name: inputName, type: tensorType(outsideShape) }],
      output: [{ name: outputName, type: tensorType(outputShape) }],
    },
  };
  root ??= protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobuf.INamespace);
  const type = root.lookupType("onnx.ModelProto");
  return type.encode(type.fromObject(model)).finish();
}
