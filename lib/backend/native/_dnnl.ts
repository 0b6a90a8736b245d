/**
 * oneDNN convolution primitives through FFI, created once per shape and cached.
 *
 * Tensors stay where tfjs keeps them (the wasm heap): each execution points oneDNN's memory
 * objects at the tensors' bytes (`dnnl_memory_set_data_handle`), so nothing is copied.
 * Layouts are tfjs's own: activations NHWC, filters HWIO.
 *
 * Pointers are plain addresses (`bigint`, 0 for none), passed as `usize`: `Deno.UnsafePointer`
 * needs FFI permission for every path, so with it `--allow-ffi=<the libraries>` would not be
 * enough. A buffer's address comes from oneDNN itself ({@linkcode addressOf}).
 *
 * @module
 */
import type { Blas, Dnnl } from "./_libraries.ts";

/** A native address (0n: none). */
export type Address = bigint;

/** The scratch oneDNN memory object whose data handle gives buffers' addresses. */
let scratch: { dnnl: Dnnl; memory: Address; blas?: Blas } | undefined;
const bases = new WeakMap<ArrayBufferLike, Address>();

/**
 * The address of `view`'s first byte: its buffer's base, learned once per buffer by setting
 * it as a oneDNN memory's data handle and reading the handle back (a buffer's bytes never
 * move; a grown wasm memory is a new buffer). Needs a started {@linkcode DnnlContext}.
 */
export function addressOf(view: ArrayBufferView): Address {
  let base = bases.get(view.buffer);
  if (base === undefined) {
    if (scratch === undefined) {
      throw new Error("Cannot take a buffer's address before oneDNN is started");
    }
    if (view.buffer.byteLength === 0) return 0n;
    const whole = new Uint8Array(view.buffer as ArrayBuffer);
    check(
      scratch.dnnl.dnnl_memory_set_data_handle_buffer(scratch.memory, whole),
      "set data handle",
    );
    const out = new BigUint64Array(1);
    check(
      scratch.dnnl.dnnl_memory_get_data_handle(scratch.memory, new Uint8Array(out.buffer)),
      "get data handle",
    );
    check(scratch.dnnl.dnnl_memory_set_data_handle(scratch.memory, 0n), "clear data handle");
    base = out[0];
    bases.set(view.buffer, base);
  }
  return base + BigInt(view.byteOffset);
}

/**
 * The NUL-terminated string at `address`, read through OpenBLAS's `scopy` in aligned 4-byte
 * words (never past the page holding the terminator), or through `Deno.UnsafePointerView`
 * where `--allow-ffi` is unrestricted; `?` when neither can.
 */
function cString(address: Address): string {
  if (address === 0n) return "?";
  const blas = scratch?.blas;
  if (blas === undefined) {
    try {
      return new Deno.UnsafePointerView(Deno.UnsafePointer.create(address)!).getCString();
    } catch {
      return "?";
    }
  }
  const bytes: number[] = [];
  let word = address & ~3n;
  const skip = Number(address - word);
  const chunk = new Uint8Array(64);
  for (let read = 0; read < 4096; read += 64) {
    const toPage = Number(4096n - (word % 4096n));
    const n = Math.min(64, toPage) / 4;
    blas.cblas_scopy(n, word, 1, chunk, 1);
    for (let i = read === 0 ? skip : 0; i < 4 * n; i++) {
      if (chunk[i] === 0) return String.fromCharCode(...bytes);
      bytes.push(chunk[i]);
    }
    word += BigInt(4 * n);
  }
  return String.fromCharCode(...bytes);
}

const mdSize = 696 * 2; // sizeof(dnnl_memory_desc_t) is 696 in oneDNN 2.6; room to spare
const opDescSize = 8192; // sizeof(dnnl_convolution_desc_t) is 5976 in oneDNN 2.6

const F32 = 3;
const TAG_ANY = 1;
const TAG_A = 2;
const TAG_ABC = 4;
const BINARY_MUL = 0x1fff1;
const ARG_SRC_1 = 2;
const TAG_NHWC = 20;
const TAG_HWIO = 30;
const FORWARD_TRAINING = 64;
const CONV_DIRECT = 1;
const ELTWISE_RELU = 31;
const FORWARD_INFERENCE = 96;
const BACKWARD = 128;
const BN_GLOBAL_STATS = 1;
const BN_SCALE = 8;
const BN_SHIFT = 16;
const ARG_MEAN = 49;
const ARG_VARIANCE = 50;
const ARG_SCALE = 51;
const ARG_SHIFT = 52;
const ARG_DIFF_SCALE = 255;
const ARG_DIFF_SHIFT = 256;
const POOLING_MAX = 511;
const QUERY_WORKSPACE = 135;
const ARG_WORKSPACE = 64;

/** oneDNN execution argument ids. */
export const Arg = {
  src: 1,
  dst: 17,
  weights: 33,
  bias: 41,
  diffSrc: 129,
  diffDst: 145,
  diffWeights: 161,
  diffBias: 169,
} as const;

const query = {
  src: 129,
  diffSrc: 130,
  weights: 131,
  diffWeights: 132,
  dst: 133,
  diffDst: 134,
  implInfo: 8,
} as const;

/** Geometry of a 2-D max pooling in NHWC. */
export interface PoolGeometry {
  readonly batch: number;
  readonly channels: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strides: readonly [number, number];
  /** top, left, bottom, right */
  readonly pads: readonly [number, number, number, number];
}

/**
 * Memory layouts a convolution computes in. `nhwc` (default): activations as tfjs holds
 * them, filters in oneDNN's choice (reordered, small); measured fastest for our shapes, as
 * it saves reordering activations. `blocked`: oneDNN's choice for everything (activations
 * reordered in and out). `plain`: tfjs's layouts only (oneDNN falls back to gemm: slow).
 */
export type ConvLayout = "nhwc" | "blocked" | "plain";

/** Which convolution computation a primitive does. */
export type ConvKind = "forward" | "backwardData" | "backwardWeights";

/** Geometry of a 2-D convolution in tfjs's NHWC/HWIO layouts. */
export interface ConvGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** top, left, bottom, right */
  readonly pads: readonly [number, number, number, number];
}

function check(status: number, what: string): void {
  if (status !== 0) {
    throw new Error(`Cannot run oneDNN as ${what} failed: dnnl_status_t is ${status}`);
  }
}

function dims(values: readonly number[]): BigInt64Array {
  const out = new BigInt64Array(12);
  values.forEach((v, i) => out[i] = BigInt(v));
  return out;
}

function readPointer(buf: Uint8Array): Address {
  return new BigUint64Array(buf.buffer, buf.byteOffset, 1)[0];
}

/** A ready oneDNN primitive with its memory objects; `run` points them at data and runs. */
export interface Primitive {
  /** Implementation oneDNN chose (e.g. `brgconv:avx512_core`). */
  readonly impl: string;
  /** Runs with one data address per argument id, in the order of `args`. */
  run(pointers: readonly Address[]): void;
  /** Argument ids, in the order `run` expects pointers. */
  readonly args: readonly number[];
  /** Frees the primitive's native objects (after eviction from the cache). */
  destroy(): void;
}

/** Primitives kept per context; the least recently used beyond this is destroyed. */
const maxCached = 64;

/** A oneDNN CPU engine and stream with a cache of convolution primitives. */
export class DnnlContext {
  private readonly engine: Address;
  private readonly stream: Address;
  private readonly cache = new Map<string, Primitive>();

  constructor(private readonly dnnl: Dnnl, blas?: Blas) {
    const out = new Uint8Array(8);
    check(dnnl.dnnl_engine_create(out, 1, 0n), "dnnl_engine_create");
    this.engine = readPointer(out);
    check(dnnl.dnnl_stream_create(out, this.engine, 1), "dnnl_stream_create");
    this.stream = readPointer(out);
    if (scratch === undefined) {
      const md = this.md([1], TAG_A);
      check(dnnl.dnnl_memory_create_buffer_md(out, md, this.engine, 0n), "scratch memory");
      scratch = { dnnl, memory: readPointer(out), ...(blas === undefined ? {} : { blas }) };
    }
  }

  /** The cached primitive for `key`, marked most recently used. */
  private lookup(key: string): Primitive | undefined {
    const hit = this.cache.get(key);
    if (hit !== undefined) {
      this.cache.delete(key);
      this.cache.set(key, hit);
    }
    return hit;
  }

  /** Caches `primitive` under `key`, destroying the least recently used beyond the limit. */
  private store(key: string, primitive: Primitive): Primitive {
    this.cache.set(key, primitive);
    if (this.cache.size > maxCached) {
      const [oldestKey, oldest] = this.cache.entries().next().value!;
      this.cache.delete(oldestKey);
      oldest.destroy();
    }
    return primitive;
  }

  /**
   * The primitive descriptor of the first implementation whose name `prefer` accepts, in
   * oneDNN's order, else oneDNN's first choice.
   */
  private preferredPd(
    desc: Uint8Array,
    hint: Address,
    prefer: (name: string) => boolean,
  ): Address {
    const d = this.dnnl;
    const out = new Uint8Array(8);
    check(d.dnnl_primitive_desc_iterator_create(out, desc, 0n, this.engine, hint), "pd iterator");
    const it = readPointer(out);
    let chosen = 0n;
    try {
      let first = 0n;
      for (let i = 0; i < 32; i++) {
        const pd = BigInt(d.dnnl_primitive_desc_iterator_fetch(it));
        if (pd === 0n) break;
        if (prefer(this.implName(pd))) {
          chosen = pd;
          break;
        }
        if (first === 0n) first = pd;
        else d.dnnl_primitive_desc_destroy(pd);
        if (d.dnnl_primitive_desc_iterator_next(it) !== 0) break; // dnnl_iterator_ends
      }
      if (chosen === 0n) chosen = first;
      else if (first !== 0n) d.dnnl_primitive_desc_destroy(first);
    } finally {
      d.dnnl_primitive_desc_iterator_destroy(it);
    }
    if (chosen === 0n) throw new Error("Cannot create a oneDNN primitive: no implementation");
    return chosen;
  }

  /** oneDNN's name for the implementation `pd` chose (e.g. `jit:avx2`, `ref:any`). */
  private implName(pd: Address): string {
    const out = new Uint8Array(8);
    check(this.dnnl.dnnl_primitive_desc_query(pd, query.implInfo, 0, out), "query impl");
    return cString(readPointer(out));
  }

  /** Number of primitives created so far (one per distinct shape and kind). */
  get size(): number {
    return this.cache.size;
  }

  private md(shape: readonly number[], tag: number): Uint8Array {
    const md = new Uint8Array(mdSize);
    check(
      this.dnnl.dnnl_memory_desc_init_by_tag(md, shape.length, dims(shape), F32, tag),
      "dnnl_memory_desc_init_by_tag",
    );
    return md;
  }

  /**
   * A convolution primitive for `kind` and geometry `g` (cached). `bias` adds a bias input
   * (forward) or output (backward weights); `relu` fuses a ReLU after the forward.
   */
  conv(
    kind: ConvKind,
    g: ConvGeometry,
    options: { bias?: boolean; relu?: boolean; layout?: ConvLayout } = {},
  ): Primitive {
    const key = `${kind}|${JSON.stringify(g)}|${JSON.stringify(options)}`;
    const hit = this.lookup(key);
    if (hit !== undefined) return hit;
    const d = this.dnnl;
    // oneDNN's logical dims are always N,C,H,W / O,I,H,W; the tag says the memory order.
    const srcDims = [g.batch, g.inChannels, g.inHeight, g.inWidth];
    const dstDims = [g.batch, g.outChannels, g.outHeight, g.outWidth];
    const wDims = [g.outChannels, g.inChannels, g.filterHeight, g.filterWidth];
    const layout = options.layout ?? "nhwc";
    // Descriptors of the computation (`any`: oneDNN picks its fastest, blocked, layout) …
    const src = this.md(srcDims, layout === "blocked" ? TAG_ANY : TAG_NHWC);
    const dst = this.md(dstDims, layout === "blocked" ? TAG_ANY : TAG_NHWC);
    const weights = this.md(wDims, layout === "plain" ? TAG_HWIO : TAG_ANY);
    // … and of the tensors as tfjs holds them.
    const srcUser = this.md(srcDims, TAG_NHWC);
    const dstUser = this.md(dstDims, TAG_NHWC);
    const wUser = this.md(wDims, TAG_HWIO);
    const bias = options.bias ? this.md([g.outChannels], TAG_A) : null;
    const strides = dims(g.strides);
    const dilates = dims([g.dilations[0] - 1, g.dilations[1] - 1]);
    const padL = dims([g.pads[0], g.pads[1]]);
    const padR = dims([g.pads[2], g.pads[3]]);
    const desc = new Uint8Array(opDescSize);
    let args: number[];
    let mds: Uint8Array[];
    // The forward descriptor: the primitive itself, or the hint backward primitives need.
    const forwardDesc = (into: Uint8Array) =>
      check(
        d.dnnl_dilated_convolution_forward_desc_init(
          into,
          FORWARD_TRAINING,
          CONV_DIRECT,
          src,
          weights,
          bias,
          dst,
          strides,
          dilates,
          padL,
          padR,
        ),
        "dnnl_dilated_convolution_forward_desc_init",
      );
    if (kind === "forward") {
      forwardDesc(desc);
      args = bias ? [Arg.src, Arg.weights, Arg.bias, Arg.dst] : [Arg.src, Arg.weights, Arg.dst];
      mds = bias ? [srcUser, wUser, bias, dstUser] : [srcUser, wUser, dstUser];
    } else if (kind === "backwardData") {
      check(
        d.dnnl_dilated_convolution_backward_data_desc_init(
          desc,
          CONV_DIRECT,
          src,
          weights,
          dst,
          strides,
          dilates,
          padL,
          padR,
        ),
        "dnnl_dilated_convolution_backward_data_desc_init",
      );
      args = [Arg.diffDst, Arg.weights, Arg.diffSrc];
      mds = [dstUser, wUser, srcUser];
    } else {
      check(
        d.dnnl_dilated_convolution_backward_weights_desc_init(
          desc,
          CONV_DIRECT,
          src,
          weights,
          bias,
          dst,
          strides,
          dilates,
          padL,
          padR,
        ),
        "dnnl_dilated_convolution_backward_weights_desc_init",
      );
      args = bias
        ? [Arg.src, Arg.diffDst, Arg.diffWeights, Arg.diffBias]
        : [Arg.src, Arg.diffDst, Arg.diffWeights];
      mds = bias ? [srcUser, dstUser, wUser, bias] : [srcUser, dstUser, wUser];
    }
    let attr = 0n;
    let postOps = 0n;
    const out = new Uint8Array(8);
    if (kind === "forward" && options.relu) {
      check(d.dnnl_primitive_attr_create(out), "dnnl_primitive_attr_create");
      attr = readPointer(out);
      check(d.dnnl_post_ops_create(out), "dnnl_post_ops_create");
      postOps = readPointer(out);
      check(d.dnnl_post_ops_append_eltwise(postOps, 1, ELTWISE_RELU, 0, 0), "append relu");
      check(d.dnnl_primitive_attr_set_post_ops(attr, postOps), "set post ops");
    }
    let hint = 0n;
    if (kind !== "forward") {
      // Backward primitives need a forward primitive descriptor as a hint.
      const fdesc = new Uint8Array(opDescSize);
      forwardDesc(fdesc);
      check(d.dnnl_primitive_desc_create(out, fdesc, 0n, this.engine, 0n), "forward hint");
      hint = readPointer(out);
    }
    check(d.dnnl_primitive_desc_create(out, desc, attr, this.engine, hint), `${kind} pd`);
    const pd = readPointer(out);
    if (hint !== 0n) d.dnnl_primitive_desc_destroy(hint);
    if (postOps !== 0n) d.dnnl_post_ops_destroy(postOps);
    if (attr !== 0n) d.dnnl_primitive_attr_destroy(attr);
    const impl = this.implName(pd);
    check(d.dnnl_primitive_create(out, pd), `${kind} primitive`);
    const prim = readPointer(out);
    const queryOf: Record<number, number> = {
      [Arg.src]: query.src,
      [Arg.dst]: query.dst,
      [Arg.weights]: query.weights,
      [Arg.diffSrc]: query.diffSrc,
      [Arg.diffDst]: query.diffDst,
      [Arg.diffWeights]: query.diffWeights,
    };
    const outputs = new Set<number>([Arg.dst, Arg.diffSrc, Arg.diffWeights, Arg.diffBias]);
    const user: Address[] = []; // memories in tfjs's layout, pointed at tensors
    const before: [Address, Uint8Array][] = []; // reorders of inputs
    const after: [Address, Uint8Array][] = []; // reorders of outputs
    const mems: Address[] = []; // every memory to destroy
    const prims: Address[] = [prim]; // every primitive to destroy
    const argBuf = new Uint8Array(16 * args.length);
    const argView = new DataView(argBuf.buffer);
    const layouts: string[] = [];
    args.forEach((arg, i) => {
      check(d.dnnl_memory_create(out, addressOf(mds[i]), this.engine, 0n), "memory");
      const plain = readPointer(out);
      user.push(plain);
      mems.push(plain);
      let inner = plain;
      const q = queryOf[arg];
      const innerMd = q === undefined ? 0n : BigInt(d.dnnl_primitive_desc_query_md(pd, q, 0));
      if (innerMd !== 0n && !d.dnnl_memory_desc_equal(innerMd, mds[i])) {
        check(d.dnnl_memory_create(out, innerMd, this.engine, allocate()), "inner memory");
        inner = readPointer(out);
        mems.push(inner);
        const isOutput = outputs.has(arg);
        const [from, to] = isOutput ? [inner, plain] : [plain, inner];
        check(
          d.dnnl_reorder_primitive_desc_create(
            out,
            isOutput ? innerMd : addressOf(mds[i]),
            this.engine,
            isOutput ? addressOf(mds[i]) : innerMd,
            this.engine,
            0n,
          ),
          "reorder pd",
        );
        const rpd = readPointer(out);
        check(d.dnnl_primitive_create(out, rpd), "reorder primitive");
        d.dnnl_primitive_desc_destroy(rpd);
        const reorder = readPointer(out);
        prims.push(reorder);
        (isOutput ? after : before).push([reorder, execArgs([[Arg.src, from], [Arg.dst, to]])]);
        layouts.push("blocked");
      } else layouts.push("plain");
      argView.setInt32(16 * i, arg, true);
      argView.setBigUint64(16 * i + 8, inner, true);
    });
    d.dnnl_primitive_desc_destroy(pd);
    const stream = this.stream;
    const exec = (p: Address, a: Uint8Array) =>
      check(d.dnnl_primitive_execute(p, stream, a.length / 16, a), `${kind} execute`);
    const primitive: Primitive = {
      impl: `${impl} (${layouts.join(",")})`,
      args,
      run(pointers) {
        for (let i = 0; i < user.length; i++) d.dnnl_memory_set_data_handle(user[i], pointers[i]);
        for (const [p, a] of before) exec(p, a);
        exec(prim, argBuf);
        for (const [p, a] of after) exec(p, a);
        check(d.dnnl_stream_wait(stream), "dnnl_stream_wait");
      },
      destroy() {
        for (const p of prims) d.dnnl_primitive_destroy(p);
        for (const m of mems) d.dnnl_memory_destroy(m);
      },
    };
    return this.store(key, primitive);
  }

  /** A max-pooling forward primitive descriptor for `g` and its src/dst descriptors. */
  private poolingForward(
    g: PoolGeometry,
    prop: number,
  ): { src: Uint8Array; dst: Uint8Array; pd: Address } {
    const d = this.dnnl;
    const src = this.md([g.batch, g.channels, g.inHeight, g.inWidth], TAG_NHWC);
    const dst = this.md([g.batch, g.channels, g.outHeight, g.outWidth], TAG_NHWC);
    const out = new Uint8Array(8);
    const desc = new Uint8Array(opDescSize);
    check(
      d.dnnl_pooling_v2_forward_desc_init(
        desc,
        prop,
        POOLING_MAX,
        src,
        dst,
        dims(g.strides),
        dims([g.filterHeight, g.filterWidth]),
        dims([0, 0]),
        dims([g.pads[0], g.pads[1]]),
        dims([g.pads[2], g.pads[3]]),
      ),
      "dnnl_pooling_v2_forward_desc_init",
    );
    check(d.dnnl_primitive_desc_create(out, desc, 0n, this.engine, 0n), "pooling pd");
    return { src, dst, pd: readPointer(out) };
  }

  /** Max pooling, forward (inference). Pointers: input, output. */
  maxPool(g: PoolGeometry): Primitive {
    const key = `maxPool|${JSON.stringify(g)}`;
    const hit = this.lookup(key);
    if (hit !== undefined) return hit;
    const { src, dst, pd } = this.poolingForward(g, FORWARD_INFERENCE);
    return this.store(key, this.simple("pooling_max", pd, [[Arg.src, src], [Arg.dst, dst]]));
  }

  /**
   * Max-pooling gradient: a forward pass (training) records where each maximum was
   * (oneDNN's workspace; first maximum in row-major window order), then the backward pass
   * routes the output gradient there. Pointers: input, output gradient, input gradient.
   */
  maxPoolGrad(g: PoolGeometry): Primitive {
    const key = `maxPoolGrad|${JSON.stringify(g)}`;
    const hit = this.lookup(key);
    if (hit !== undefined) return hit;
    const d = this.dnnl;
    const { src, dst, pd: fpd } = this.poolingForward(g, FORWARD_TRAINING);
    const strides = dims(g.strides);
    const kernel = dims([g.filterHeight, g.filterWidth]);
    const dilation = dims([0, 0]);
    const padL = dims([g.pads[0], g.pads[1]]);
    const padR = dims([g.pads[2], g.pads[3]]);
    const out = new Uint8Array(8);
    const bdesc = new Uint8Array(opDescSize);
    check(
      d.dnnl_pooling_v2_backward_desc_init(
        bdesc,
        POOLING_MAX,
        src,
        dst,
        strides,
        kernel,
        dilation,
        padL,
        padR,
      ),
      "dnnl_pooling_v2_backward_desc_init",
    );
    check(d.dnnl_primitive_desc_create(out, bdesc, 0n, this.engine, fpd), "pooling bwd pd");
    const bpd = readPointer(out);
    const memory = (md: Address, handle: Address) => {
      check(d.dnnl_memory_create(out, md, this.engine, handle), "memory");
      return readPointer(out);
    };
    const srcMem = memory(addressOf(src), 0n);
    const dstMem = memory(addressOf(dst), allocate()); // forward output, unused
    const wsMem = memory(
      BigInt(d.dnnl_primitive_desc_query_md(fpd, QUERY_WORKSPACE, 0)),
      allocate(),
    );
    const diffDstMem = memory(addressOf(dst), 0n);
    const diffSrcMem = memory(addressOf(src), 0n);
    check(d.dnnl_primitive_create(out, fpd), "pooling primitive");
    const forward = readPointer(out);
    check(d.dnnl_primitive_create(out, bpd), "pooling bwd primitive");
    const backward = readPointer(out);
    d.dnnl_primitive_desc_destroy(fpd);
    d.dnnl_primitive_desc_destroy(bpd);
    const fargs = execArgs([[Arg.src, srcMem], [Arg.dst, dstMem], [ARG_WORKSPACE, wsMem]]);
    const bargs = execArgs([[Arg.diffDst, diffDstMem], [ARG_WORKSPACE, wsMem], [
      Arg.diffSrc,
      diffSrcMem,
    ]]);
    const stream = this.stream;
    const mems = [srcMem, dstMem, wsMem, diffDstMem, diffSrcMem];
    const primitive: Primitive = {
      impl: "pooling_max",
      args: [Arg.src, Arg.diffDst, Arg.diffSrc],
      run([x, dy, dx]) {
        d.dnnl_memory_set_data_handle(srcMem, x);
        d.dnnl_memory_set_data_handle(diffDstMem, dy);
        d.dnnl_memory_set_data_handle(diffSrcMem, dx);
        check(d.dnnl_primitive_execute(forward, stream, 3, fargs), "pooling execute");
        check(d.dnnl_primitive_execute(backward, stream, 3, bargs), "pooling bwd execute");
        check(d.dnnl_stream_wait(stream), "dnnl_stream_wait");
      },
      destroy() {
        d.dnnl_primitive_destroy(forward);
        d.dnnl_primitive_destroy(backward);
        for (const m of mems) d.dnnl_memory_destroy(m);
      },
    };
    return this.store(key, primitive);
  }

  /**
   * Batch normalisation per channel on NHWC data viewed as `[n, c, h, w]`, with given
   * statistics (`stats: "given"`, oneDNN's `use_global_stats`) or the batch's own
   * (`"batch"`, training). Pointers, given: forward x, mean, variance, scale, offset, y;
   * backward x, mean, variance, dy, scale, offset, dx, dScale, dOffset (mean and variance
   * constants, as in tfjs's gradient of `FusedBatchNorm`). Batch: forward x, scale, offset,
   * y, mean, variance (outputs; variance biased); backward as given (offset unused), dx
   * through the statistics.
   */
  batchNorm(
    kind: "forward" | "backward",
    shape: readonly [number, number, number, number],
    epsilon: number,
    stats: "given" | "batch" = "given",
  ): Primitive {
    const key = `batchNorm|${kind}|${stats}|${shape}|${epsilon}`;
    const hit = this.lookup(key);
    if (hit !== undefined) return hit;
    const d = this.dnnl;
    const data = this.md(shape, TAG_NHWC);
    const channel = this.md([shape[1]], TAG_A);
    const flags = (stats === "given" ? BN_GLOBAL_STATS : 0) | BN_SCALE | BN_SHIFT;
    const out = new Uint8Array(8);
    const fdesc = new Uint8Array(opDescSize);
    const prop = kind === "forward" && stats === "given" ? FORWARD_INFERENCE : FORWARD_TRAINING;
    check(
      d.dnnl_batch_normalization_forward_desc_init(fdesc, prop, data, epsilon, flags),
      "dnnl_batch_normalization_forward_desc_init",
    );
    // oneDNN's jit batch norm synchronises its threads with spin barriers between passes:
    // when a thread is preempted (2 cores shared with V8 and OpenBLAS threads) a 0.2 ms call
    // stalls for 15–20 ms. The "tbb" variants have no barriers.
    const tbb = (name: string) => name.includes("tbb");
    let pd = this.preferredPd(fdesc, 0n, tbb);
    let args: number[];
    if (kind === "forward") {
      args = stats === "given"
        ? [Arg.src, ARG_MEAN, ARG_VARIANCE, ARG_SCALE, ARG_SHIFT, Arg.dst]
        : [Arg.src, ARG_SCALE, ARG_SHIFT, Arg.dst, ARG_MEAN, ARG_VARIANCE];
    } else {
      const bdesc = new Uint8Array(opDescSize);
      check(
        d.dnnl_batch_normalization_backward_desc_init(bdesc, BACKWARD, data, data, epsilon, flags),
        "dnnl_batch_normalization_backward_desc_init",
      );
      const backward = this.preferredPd(bdesc, pd, tbb);
      d.dnnl_primitive_desc_destroy(pd);
      pd = backward;
      args = [
        Arg.src,
        ARG_MEAN,
        ARG_VARIANCE,
        Arg.diffDst,
        ARG_SCALE,
        ARG_SHIFT,
        Arg.diffSrc,
        ARG_DIFF_SCALE,
        ARG_DIFF_SHIFT,
      ];
    }
    const impl = `batch_normalization ${this.implName(pd)}`;
    check(d.dnnl_primitive_create(out, pd), "bnorm primitive");
    const prim = readPointer(out);
    d.dnnl_primitive_desc_destroy(pd);
    const perChannel = new Set<number>([
      ARG_MEAN,
      ARG_VARIANCE,
      ARG_SCALE,
      ARG_SHIFT,
      ARG_DIFF_SCALE,
      ARG_DIFF_SHIFT,
    ]);
    const mems = args.map((arg) => {
      const md = perChannel.has(arg) ? channel : data;
      check(d.dnnl_memory_create(out, addressOf(md), this.engine, 0n), "memory");
      return readPointer(out);
    });
    const argBuf = execArgs(args.map((a, i) => [a, mems[i]]));
    const stream = this.stream;
    const primitive: Primitive = {
      impl,
      args,
      run(pointers) {
        for (let i = 0; i < mems.length; i++) d.dnnl_memory_set_data_handle(mems[i], pointers[i]);
        check(d.dnnl_primitive_execute(prim, stream, args.length, argBuf), "bnorm execute");
        check(d.dnnl_stream_wait(stream), "dnnl_stream_wait");
      },
      destroy() {
        d.dnnl_primitive_destroy(prim);
        for (const m of mems) d.dnnl_memory_destroy(m);
      },
    };
    return this.store(key, primitive);
  }

  /**
   * ReLU over `size` floats, forward (pointers x, y) or backward (pointers x, dy, dx, with
   * `dx = dy` where `x > 0`, else 0).
   */
  relu(kind: "forward" | "backward", size: number): Primitive {
    const key = `relu|${kind}|${size}`;
    const hit = this.lookup(key);
    if (hit !== undefined) return hit;
    const d = this.dnnl;
    const data = this.md([size], TAG_A);
    const out = new Uint8Array(8);
    const fdesc = new Uint8Array(opDescSize);
    check(
      d.dnnl_eltwise_forward_desc_init(fdesc, FORWARD_TRAINING, ELTWISE_RELU, data, 0, 0),
      "dnnl_eltwise_forward_desc_init",
    );
    check(d.dnnl_primitive_desc_create(out, fdesc, 0n, this.engine, 0n), "eltwise pd");
    let pd = readPointer(out);
    let args: number[] = [Arg.src, Arg.dst];
    if (kind === "backward") {
      const bdesc = new Uint8Array(opDescSize);
      check(
        d.dnnl_eltwise_backward_desc_init(bdesc, ELTWISE_RELU, data, data, 0, 0),
        "dnnl_eltwise_backward_desc_init",
      );
      check(d.dnnl_primitive_desc_create(out, bdesc, 0n, this.engine, pd), "eltwise bwd pd");
      d.dnnl_primitive_desc_destroy(pd);
      pd = readPointer(out);
      args = [Arg.src, Arg.diffDst, Arg.diffSrc];
    }
    return this.store(key, this.simple(`eltwise_relu_${kind}`, pd, args.map((a) => [a, data])));
  }

  /**
   * `y = x · m` where `x` is `[n, inner, c]` and `m` is `[n or 1, 1, c]` (row-major), so
   * `m` scales each channel of each image. Pointers: x, m, y.
   */
  channelScale(n: number, inner: number, c: number, perImage: boolean): Primitive {
    const key = `channelScale|${n}|${inner}|${c}|${perImage}`;
    const hit = this.lookup(key);
    if (hit !== undefined) return hit;
    const d = this.dnnl;
    const data = this.md([n, inner, c], TAG_ABC);
    const factors = this.md([perImage ? n : 1, 1, c], TAG_ABC);
    const out = new Uint8Array(8);
    const desc = new Uint8Array(opDescSize);
    check(d.dnnl_binary_desc_init(desc, BINARY_MUL, data, factors, data), "dnnl_binary_desc_init");
    check(d.dnnl_primitive_desc_create(out, desc, 0n, this.engine, 0n), "binary pd");
    const pd = readPointer(out);
    return this.store(
      key,
      this.simple("binary_mul", pd, [[Arg.src, data], [ARG_SRC_1, factors], [Arg.dst, data]]),
    );
  }

  /**
   * A primitive from `pd` (destroyed here) whose arguments are plain user memories, one per
   * `[arg, descriptor]`, pointed at the given pointers on each run.
   */
  private simple(
    impl: string,
    pd: Address,
    argMds: readonly [number, Uint8Array][],
  ): Primitive {
    const d = this.dnnl;
    const out = new Uint8Array(8);
    const name = `${impl} ${this.implName(pd)}`;
    const created = d.dnnl_primitive_create(out, pd);
    d.dnnl_primitive_desc_destroy(pd);
    check(created, `${impl} primitive`);
    const prim = readPointer(out);
    const mems = argMds.map(([, md]) => {
      check(d.dnnl_memory_create(out, addressOf(md), this.engine, 0n), "memory");
      return readPointer(out);
    });
    const args = argMds.map(([a]) => a);
    const argBuf = execArgs(args.map((a, i) => [a, mems[i]]));
    const stream = this.stream;
    return {
      impl: name,
      args,
      run(pointers) {
        for (let i = 0; i < mems.length; i++) d.dnnl_memory_set_data_handle(mems[i], pointers[i]);
        check(d.dnnl_primitive_execute(prim, stream, args.length, argBuf), `${impl} execute`);
        check(d.dnnl_stream_wait(stream), "dnnl_stream_wait");
      },
      destroy() {
        d.dnnl_primitive_destroy(prim);
        for (const m of mems) d.dnnl_memory_destroy(m);
      },
    };
  }
}

/** `DNNL_MEMORY_ALLOCATE`: oneDNN allocates (and later frees) the buffer. */
function allocate(): Address {
  return 0xffffffffffffffffn;
}

function execArgs(pairs: readonly [number, Address][]): Uint8Array {
  const buf = new Uint8Array(16 * pairs.length);
  const view = new DataView(buf.buffer);
  pairs.forEach(([arg, mem], i) => {
    view.setInt32(16 * i, arg, true);
    view.setBigUint64(16 * i + 8, mem, true);
  });
  return buf;
}
