/**
 * Finding and opening the native libraries (oneDNN, OpenBLAS, the OpenMP runtime) through
 * `Deno.dlopen`. Nothing here throws: a missing library or permission gives a reason.
 *
 * @module
 */

const dnnlSymbols = {
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "pointer", "u32"], result: "i32" },
  dnnl_stream_wait: { parameters: ["pointer"], result: "i32" },
  dnnl_memory_desc_init_by_tag: {
    parameters: ["buffer", "i32", "buffer", "i32", "i32"],
    result: "i32",
  },
  dnnl_memory_desc_equal: { parameters: ["pointer", "buffer"], result: "i32" },
  dnnl_memory_desc_get_size: { parameters: ["pointer"], result: "usize" },
  dnnl_dilated_convolution_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_data_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_dilated_convolution_backward_weights_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_v2_forward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_pooling_v2_backward_desc_init: {
    parameters: [
      "buffer",
      "i32",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
      "buffer",
    ],
    result: "i32",
  },
  dnnl_batch_normalization_forward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_batch_normalization_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "u32"],
    result: "i32",
  },
  dnnl_eltwise_forward_desc_init: {
    parameters: ["buffer", "i32", "i32", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_eltwise_backward_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "f32", "f32"],
    result: "i32",
  },
  dnnl_binary_desc_init: {
    parameters: ["buffer", "i32", "buffer", "buffer", "buffer"],
    result: "i32",
  },
  dnnl_primitive_desc_iterator_create: {
    parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_iterator_next: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_desc_iterator_fetch: { parameters: ["pointer"], result: "pointer" },
  dnnl_primitive_desc_iterator_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_attr_create: { parameters: ["buffer"], result: "i32" },
  dnnl_primitive_attr_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_attr_set_post_ops: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_post_ops_create: { parameters: ["buffer"], result: "i32" },
  dnnl_post_ops_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_post_ops_append_eltwise: {
    parameters: ["pointer", "f32", "i32", "f32", "f32"],
    result: "i32",
  },
  dnnl_primitive_desc_create: {
    parameters: ["buffer", "buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_desc_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_primitive_desc_query: {
    parameters: ["pointer", "i32", "i32", "buffer"],
    result: "i32",
  },
  dnnl_primitive_desc_query_md: { parameters: ["pointer", "i32", "i32"], result: "pointer" },
  dnnl_reorder_primitive_desc_create: {
    parameters: ["buffer", "pointer", "pointer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_primitive_create: { parameters: ["buffer", "pointer"], result: "i32" },
  dnnl_primitive_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_memory_create: {
    parameters: ["buffer", "pointer", "pointer", "pointer"],
    result: "i32",
  },
  dnnl_memory_destroy: { parameters: ["pointer"], result: "i32" },
  dnnl_memory_set_data_handle: { parameters: ["pointer", "pointer"], result: "i32" },
  dnnl_primitive_execute: {
    parameters: ["pointer", "pointer", "i32", "buffer"],
    result: "i32",
  },
  dnnl_sgemm: {
    parameters: [
      "u8",
      "u8",
      "i64",
      "i64",
      "i64",
      "f32",
      "pointer",
      "i64",
      "pointer",
      "i64",
      "f32",
      "pointer",
      "i64",
    ],
    result: "i32",
  },
} as const;

const blasSymbols = {
  cblas_sgemm: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "f32",
      "pointer",
      "i32",
    ],
    result: "void",
  },
  cblas_sgemv: {
    parameters: [
      "i32",
      "i32",
      "i32",
      "i32",
      "f32",
      "pointer",
      "i32",
      "pointer",
      "i32",
      "f32",
      "pointer",
      "i32",
    ],
    result: "void",
  },
  openblas_set_num_threads: { parameters: ["i32"], result: "void" },
  openblas_get_num_threads: { parameters: [], result: "i32" },
} as const;

const ompSymbols = {
  omp_set_num_threads: { parameters: ["i32"], result: "void" },
  omp_get_max_threads: { parameters: [], result: "i32" },
} as const;

/** oneDNN's C API (v2.x, `libdnnl.so.2`). */
export type Dnnl = Deno.DynamicLibrary<typeof dnnlSymbols>["symbols"];
/** OpenBLAS's CBLAS and thread control. */
export type Blas = Deno.DynamicLibrary<typeof blasSymbols>["symbols"];
/** The OpenMP runtime oneDNN threads with. */
export type Omp = Deno.DynamicLibrary<typeof ompSymbols>["symbols"];

/** The opened libraries, or why they could not be opened. */
export interface Libraries {
  readonly dnnl?: Dnnl;
  readonly blas?: Blas;
  readonly omp?: Omp;
  /** Paths opened, by library. */
  readonly paths: Readonly<Record<string, string>>;
  /** Why each missing library is missing. */
  readonly missing: readonly string[];
}

function envValue(name: string): string | undefined {
  try {
    if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
      return undefined;
    }
    const value = Deno.env.get(name)?.trim();
    return value === "" ? undefined : value;
  } catch {
    return undefined;
  }
}

/** Whether this process may call native code (`--allow-ffi`). */
export function ffiAllowed(): boolean {
  try {
    return typeof Deno.dlopen === "function" &&
      Deno.permissions.querySync({ name: "ffi" }).state === "granted";
  } catch {
    return false;
  }
}

function open<S extends Deno.ForeignLibraryInterface>(
  candidates: readonly string[],
  symbols: S,
): { lib?: Deno.DynamicLibrary<S>; path?: string; errors: string[] } {
  const errors: string[] = [];
  for (const path of candidates) {
    try {
      return { lib: Deno.dlopen(path, symbols), path, errors };
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  return { errors };
}

/**
 * Idle pool threads that spin — libgomp's between oneDNN calls, OpenBLAS's for ~0.1 s after
 * each call — take cores from the wasm ops in between and from oneDNN's own threads, whose jit
 * kernels synchronise with barriers (one preempted thread stalls them all). Asks both to sleep
 * when idle, unless the user set the variables. The libraries read them when they load, so
 * this runs first.
 */
function quietThreadPools(): void {
  const defaults: Record<string, string> = {
    OMP_WAIT_POLICY: "PASSIVE",
    OPENBLAS_THREAD_TIMEOUT: "4", // 2⁴ cycles, the minimum: sleep as soon as idle
  };
  for (const [variable, value] of Object.entries(defaults)) {
    try {
      const granted = Deno.permissions.querySync({ name: "env", variable }).state === "granted";
      if (granted && Deno.env.get(variable) === undefined) Deno.env.set(variable, value);
    } catch {
      // no permission to read or write the environment: keep the library's default
    }
  }
}

let cached: Libraries | undefined;

/**
 * Opens oneDNN (`LIKENESS_DNNL` or `libdnnl.so.2`), OpenBLAS (`LIKENESS_BLAS` or
 * `libopenblas.so.0`) and the OpenMP runtime (`libgomp.so.1`), once per process.
 */
export function openLibraries(): Libraries {
  if (cached !== undefined) return cached;
  if (!ffiAllowed()) {
    cached = {
      paths: {},
      missing: ["Deno's FFI is not allowed (run with --allow-ffi or -A)"],
    };
    return cached;
  }
  const paths: Record<string, string> = {};
  const missing: string[] = [];
  quietThreadPools();
  const dnnlPath = envValue("LIKENESS_DNNL");
  const dnnl = open(
    dnnlPath ? [dnnlPath] : ["libdnnl.so.2", "libdnnl.so"],
    dnnlSymbols,
  );
  if (dnnl.lib) paths.dnnl = dnnl.path!;
  else {
    missing.push(
      `oneDNN: ${dnnl.errors.join("; ")} (Debian: apt-get install libdnnl2; or set LIKENESS_DNNL)`,
    );
  }
  const blasPath = envValue("LIKENESS_BLAS");
  const blas = open(blasPath ? [blasPath] : ["libopenblas.so.0", "libopenblas.so"], blasSymbols);
  if (blas.lib) paths.blas = blas.path!;
  else {
    missing.push(
      `OpenBLAS: ${
        blas.errors.join("; ")
      } (Debian: apt-get install libopenblas0; or set LIKENESS_BLAS)`,
    );
  }
  const omp = dnnl.lib ? open(["libgomp.so.1"], ompSymbols) : { errors: [] };
  if (omp.lib) paths.omp = omp.path!;
  cached = {
    dnnl: dnnl.lib?.symbols,
    blas: blas.lib?.symbols,
    omp: omp.lib?.symbols,
    paths,
    missing,
  };
  return cached;
}
