/**
 * Finding and opening the native libraries (oneDNN, OpenBLAS, the OpenMP runtime) through
 * `Deno.dlopen`. Nothing here throws: a missing library or permission gives a reason.
 *
 * Least privilege: a path is opened only when FFI is granted for it (checked first, so Deno
 * never prompts), and the usual absolute paths are candidates, so
 * `--allow-ffi=/usr/lib/x86_64-linux-gnu/libdnnl.so.2,…` is enough. Pointers travel as plain
 * addresses (`usize`), never through `Deno.UnsafePointer`, which needs unrestricted FFI.
 * `LIKENESS_DNNL` / `LIKENESS_BLAS` name any file to load: with unrestricted `--allow-ffi`
 * and `--allow-env`, whoever sets the environment chooses native code to run.
 *
 * @module
 */

const dnnlSymbols = {
  dnnl_engine_create: { parameters: ["buffer", "i32", "usize"], result: "i32" },
  dnnl_stream_create: { parameters: ["buffer", "usize", "u32"], result: "i32" },
  dnnl_stream_wait: { parameters: ["usize"], result: "i32" },
  dnnl_memory_desc_init_by_tag: {
    parameters: ["buffer", "i32", "buffer", "i32", "i32"],
    result: "i32",
  },
  dnnl_memory_desc_equal: { parameters: ["usize", "buffer"], result: "i32" },
  dnnl_memory_desc_get_size: { parameters: ["usize"], result: "usize" },
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
    parameters: ["buffer", "buffer", "usize", "usize", "usize"],
    result: "i32",
  },
  dnnl_primitive_desc_iterator_next: { parameters: ["usize"], result: "i32" },
  dnnl_primitive_desc_iterator_fetch: { parameters: ["usize"], result: "usize" },
  dnnl_primitive_desc_iterator_destroy: { parameters: ["usize"], result: "i32" },
  dnnl_primitive_attr_create: { parameters: ["buffer"], result: "i32" },
  dnnl_primitive_attr_destroy: { parameters: ["usize"], result: "i32" },
  dnnl_primitive_attr_set_post_ops: { parameters: ["usize", "usize"], result: "i32" },
  dnnl_post_ops_create: { parameters: ["buffer"], result: "i32" },
  dnnl_post_ops_destroy: { parameters: ["usize"], result: "i32" },
  dnnl_post_ops_append_eltwise: {
    parameters: ["usize", "f32", "i32", "f32", "f32"],
    result: "i32",
  },
  dnnl_primitive_desc_create: {
    parameters: ["buffer", "buffer", "usize", "usize", "usize"],
    result: "i32",
  },
  dnnl_primitive_desc_destroy: { parameters: ["usize"], result: "i32" },
  dnnl_primitive_desc_query: {
    parameters: ["usize", "i32", "i32", "buffer"],
    result: "i32",
  },
  dnnl_primitive_desc_query_md: { parameters: ["usize", "i32", "i32"], result: "usize" },
  dnnl_reorder_primitive_desc_create: {
    parameters: ["buffer", "usize", "usize", "usize", "usize", "usize"],
    result: "i32",
  },
  dnnl_primitive_create: { parameters: ["buffer", "usize"], result: "i32" },
  dnnl_primitive_destroy: { parameters: ["usize"], result: "i32" },
  dnnl_memory_create: {
    parameters: ["buffer", "usize", "usize", "usize"],
    result: "i32",
  },
  // The same with the descriptor in a JS buffer (before any address is known).
  dnnl_memory_create_buffer_md: {
    name: "dnnl_memory_create",
    parameters: ["buffer", "buffer", "usize", "usize"],
    result: "i32",
  },
  dnnl_memory_destroy: { parameters: ["usize"], result: "i32" },
  dnnl_memory_set_data_handle: { parameters: ["usize", "usize"], result: "i32" },
  // The same function with a JS buffer as the handle: with the getter, a buffer's address
  // without Deno.UnsafePointer (which needs --allow-ffi for every path).
  dnnl_memory_set_data_handle_buffer: {
    name: "dnnl_memory_set_data_handle",
    parameters: ["usize", "buffer"],
    result: "i32",
  },
  dnnl_memory_get_data_handle: { parameters: ["usize", "buffer"], result: "i32" },
  dnnl_primitive_execute: {
    parameters: ["usize", "usize", "i32", "buffer"],
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
      "usize",
      "i64",
      "usize",
      "i64",
      "f32",
      "usize",
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
      "usize",
      "i32",
      "usize",
      "i32",
      "f32",
      "usize",
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
      "usize",
      "i32",
      "usize",
      "i32",
      "f32",
      "usize",
      "i32",
    ],
    result: "void",
  },
  cblas_scopy: { parameters: ["i32", "usize", "i32", "buffer", "i32"], result: "void" },
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

/**
 * Folders a Linux distribution installs shared libraries in, this machine's multiarch folder
 * first (Debian: `/usr/lib/x86_64-linux-gnu`).
 */
function libraryFolders(): string[] {
  const arch = Deno.build.arch === "aarch64" ? "aarch64" : "x86_64";
  return [
    `/usr/lib/${arch}-linux-gnu`,
    `/lib/${arch}-linux-gnu`,
    "/usr/lib64",
    "/usr/lib",
    "/usr/local/lib",
  ];
}

/**
 * Where to look for a library: `override` alone when set (`LIKENESS_DNNL`, `LIKENESS_BLAS`);
 * else each bare name (the system loader's search, e.g. `LD_LIBRARY_PATH`), then each name in
 * the usual folders. The absolute paths are what `--allow-ffi=<path>,…` can name: Deno
 * checks the path given to `Deno.dlopen` exactly as written.
 */
export function libraryCandidates(names: readonly string[], override?: string): string[] {
  if (override !== undefined) return [override];
  return [...names, ...libraryFolders().flatMap((folder) => names.map((n) => `${folder}/${n}`))];
}

/** Whether this process may open `path` with FFI, without prompting (`--allow-ffi[=path]`). */
function ffiGranted(path?: string): boolean {
  try {
    if (typeof Deno.dlopen !== "function") return false;
    const descriptor = path === undefined
      ? { name: "ffi" as const }
      : { name: "ffi" as const, path };
    return Deno.permissions.querySync(descriptor).state === "granted";
  } catch {
    return false;
  }
}

/** Whether this process may call native code at all (`--allow-ffi`, without paths). */
export function ffiAllowed(): boolean {
  return ffiGranted();
}

/**
 * Opens the first candidate that FFI may open and that loads. Candidates FFI is not granted
 * for are skipped without asking (no prompt); `denied` lists them.
 */
function open<S extends Deno.ForeignLibraryInterface>(
  candidates: readonly string[],
  symbols: S,
): { lib?: Deno.DynamicLibrary<S>; path?: string; errors: string[]; denied: string[] } {
  const errors: string[] = [];
  const denied: string[] = [];
  for (const path of candidates) {
    if (!ffiGranted(path)) {
      denied.push(path);
      continue;
    }
    try {
      return { lib: Deno.dlopen(path, symbols), path, errors, denied };
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  return { errors, denied };
}

/** Why a library did not open: load errors, and candidates FFI was not granted for. */
function whyMissing(
  result: { errors: string[]; denied: string[] },
  candidates: readonly string[],
): string {
  const notFound = result.errors.filter((e) => /cannot open shared object file/i.test(e));
  const parts = notFound.length > 1
    ? [
      `not found (tried ${notFound.map((e) => e.slice(0, e.indexOf(": "))).join(", ")})`,
      ...result.errors.filter((e) => !notFound.includes(e)),
    ]
    : [...result.errors];
  if (result.denied.length === candidates.length) {
    const example = candidates.find((c) => c.startsWith("/")) ?? candidates[0];
    const which = candidates.length === 1
      ? candidates[0]
      : `any of its ${candidates.length} candidate paths (e.g. ${example})`;
    parts.push(
      `Deno's FFI is not allowed for ${which} (run with --allow-ffi, ` +
        `or --allow-ffi=<the library's absolute path>)`,
    );
  } else if (result.denied.length > 0) {
    parts.push(`FFI not allowed for ${result.denied.join(", ")}`);
  }
  return parts.join("; ");
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
 * `libopenblas.so.0`) and the OpenMP runtime (`libgomp.so.1`), once per process. Only paths
 * FFI is granted for are opened (never a prompt): `--allow-ffi` grants any;
 * `--allow-ffi=/usr/lib/x86_64-linux-gnu/libdnnl.so.2,…` grants those absolute paths, which
 * are among the candidates ({@linkcode libraryCandidates}). `LIKENESS_DNNL` / `LIKENESS_BLAS`
 * are read only where `--allow-env` grants them, and then replace the candidates.
 */
export function openLibraries(): Libraries {
  if (cached !== undefined) return cached;
  const paths: Record<string, string> = {};
  const missing: string[] = [];
  const dnnlCandidates = libraryCandidates(
    ["libdnnl.so.2", "libdnnl.so"],
    envValue("LIKENESS_DNNL"),
  );
  const blasCandidates = libraryCandidates(
    ["libopenblas.so.0", "libopenblas.so"],
    envValue("LIKENESS_BLAS"),
  );
  const anyGranted = [...dnnlCandidates, ...blasCandidates].some((path) => ffiGranted(path));
  if (!anyGranted) {
    cached = {
      paths: {},
      missing: [
        "Deno's FFI is not allowed (run with --allow-ffi, or with --allow-ffi=<paths> naming " +
        "the libraries, e.g. --allow-ffi=/usr/lib/x86_64-linux-gnu/libdnnl.so.2," +
        "/usr/lib/x86_64-linux-gnu/libopenblas.so.0,/usr/lib/x86_64-linux-gnu/libgomp.so.1)",
      ],
    };
    return cached;
  }
  quietThreadPools();
  const dnnl = open(dnnlCandidates, dnnlSymbols);
  if (dnnl.lib) paths.dnnl = dnnl.path!;
  else {
    missing.push(
      `oneDNN: ${
        whyMissing(dnnl, dnnlCandidates)
      } (Debian: apt-get install libdnnl2; or set LIKENESS_DNNL)`,
    );
  }
  const blas = open(blasCandidates, blasSymbols);
  if (blas.lib) paths.blas = blas.path!;
  else {
    missing.push(
      `OpenBLAS: ${
        whyMissing(blas, blasCandidates)
      } (Debian: apt-get install libopenblas0; or set LIKENESS_BLAS)`,
    );
  }
  const omp = dnnl.lib
    ? open(libraryCandidates(["libgomp.so.1"]), ompSymbols)
    : { errors: [], denied: [] };
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
