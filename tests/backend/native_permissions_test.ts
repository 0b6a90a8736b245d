// Least privilege for the native backend: with exactly `--allow-ffi=<the three library
// paths> --allow-read=<tfjs-backend-wasm's dist folder>` (no other permission, no prompt) it
// starts and trains a step; a library named by LIKENESS_DNNL outside that list is never
// opened, even with --allow-env. Before the fix, any --allow-ffi=<paths> gave "Deno's FFI is
// not allowed" (the probe asked for unrestricted FFI, bare names were not the granted paths,
// and Deno.UnsafePointer needs unrestricted FFI).
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { missing as missingDependency } from "../_require.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Where the library is here, in a folder the native backend probes (as the README says). */
async function find(names: string[]): Promise<string | undefined> {
  const arch = Deno.build.arch;
  const folders = [
    `/usr/lib/${arch}-linux-gnu`,
    `/lib/${arch}-linux-gnu`,
    "/usr/lib64",
    "/usr/lib",
  ];
  for (const folder of folders) {
    for (const name of names) if (await exists(`${folder}/${name}`)) return `${folder}/${name}`;
  }
  return undefined;
}

/** tfjs-backend-wasm's `dist` folder (its .wasm files) in this project's node_modules. */
async function wasmDist(): Promise<string | undefined> {
  const store = join(root, "node_modules/.deno");
  for await (const entry of Deno.readDir(store)) {
    if (!entry.name.startsWith("@tensorflow+tfjs-backend-wasm@")) continue;
    const dist = join(store, entry.name, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
    if (await exists(dist)) {
      return join(
        "node_modules/.deno",
        entry.name,
        "node_modules/@tensorflow/tfjs-backend-wasm/dist",
      );
    }
  }
  return undefined;
}

const dnnl = await find(["libdnnl.so.2"]);
const blas = await find(["libopenblas.so.0"]);
const gomp = await find(["libgomp.so.1"]);
const dist = await wasmDist();
const missing = [
  dnnl ? "" : "libdnnl.so.2",
  blas ? "" : "libopenblas.so.0",
  gomp ? "" : "libgomp.so.1",
  dist ? "" : "tfjs-backend-wasm",
]
  .filter((m) => m !== "");
const ignore = missingDependency(
  "native",
  missing.length > 0 ? `narrow-permission native tests: missing ${missing}` : undefined,
);

async function child(flags: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...flags, "tests/backend/_native_permissions_child.ts"],
    cwd: root,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout).trim();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, `child exited ${code}: ${err}`);
  return JSON.parse(out.split("\n").at(-1)!);
}

Deno.test({
  name: "native starts and trains with only --allow-ffi=<libraries> --allow-read=<wasm dist>",
  ignore,
  async fn() {
    const result = await child([
      `--allow-ffi=${dnnl},${blas},${gomp}`,
      `--allow-read=${dist}`,
    ]);
    assert.equal(result.available, true, result.reason);
    assert.equal(result.backend, "native");
    assert.deepEqual(result.libraries, { dnnl, blas, omp: gomp });
    assert.ok(Number.isFinite(result.loss) && result.loss > 0, `loss ${result.loss}`);
    assert.equal(result.moved, true, "the step should change the weights");
  },
});

Deno.test({
  name: "LIKENESS_DNNL outside --allow-ffi=<paths> is never opened, even with --allow-env",
  ignore,
  async fn() {
    const result = await child(
      [`--allow-ffi=${dnnl},${blas},${gomp}`, `--allow-read=${dist}`, "--allow-env=LIKENESS_DNNL"],
      { LIKENESS_DNNL: "/tmp/not-a-library-likeness-test.so" },
    );
    assert.equal(result.available, false);
    assert.match(
      result.reason,
      /oneDNN: Deno's FFI is not allowed for \/tmp\/not-a-library-likeness-test\.so/,
    );
  },
});
