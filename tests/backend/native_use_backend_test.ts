// Choosing the native backend: by name, by LIKENESS_BACKEND, by default where available;
// without FFI permission or libraries, the default falls back to wasm saying why.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
import { skipReason } from "./_native.ts";

const ignore = skipReason !== undefined;

Deno.test({
  name: "useBackend('native') starts native with its kernels; default prefers it",
  ignore,
  fn: async () => {
    const info = await useBackend("native", { threads: 1 });
    assert.equal(info.name, "native");
    assert.equal(tf.getBackend(), "native");
    assert.equal(info.threads, 1);
    for (const k of ["Conv2D", "Conv2DBackpropFilter", "Conv2DBackpropInput", "BatchMatMul"]) {
      assert.ok(info.kernels.includes(k), `${k} should run natively`);
    }
    const auto = await useBackend("auto", { env: false });
    assert.equal(auto.name, "native");
    const byDefault = await useBackend(undefined, { env: false });
    assert.deepEqual([byDefault.name, byDefault.source], ["native", "default"]);
    // A tensor made on wasm is usable on native and back.
    await useBackend("wasm");
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    await useBackend("native");
    const y = tf.matMul(x, x);
    assert.deepEqual(Array.from(await y.data()), [7, 10, 15, 22]);
    await useBackend("wasm");
    assert.deepEqual(Array.from(await tf.add(y, 1).data()), [8, 11, 16, 23]);
    tf.dispose([x, y]);
  },
});

/** Runs `useBackend()` in a child process with `permissions` and `env`; its output. */
async function probe(permissions: string[], env: Record<string, string> = {}) {
  const code = `import { useBackend } from "${new URL(
    "../../lib/backend/mod.ts",
    import.meta.url,
  )}";
    try { const info = await useBackend(); console.log("started " + info.name); }
    catch (e) { console.log("error " + e.message); }`;
  const file = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(file, code);
    const config = new URL("../../deno.json", import.meta.url).pathname;
    const { stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--config", config, ...permissions, file],
      env,
    }).output();
    return { out: new TextDecoder().decode(stdout), err: new TextDecoder().decode(stderr) };
  } finally {
    await Deno.remove(file);
  }
}

const allButFfi = ["--allow-read", "--allow-env", "--allow-net", "--allow-sys", "--allow-write"];

Deno.test("useBackend() without --allow-ffi falls back to wasm with a one-line note", async () => {
  const { out, err } = await probe(allButFfi);
  assert.match(out, /started wasm/);
  const notes = err.split("\n").filter((l) => l.startsWith("likeness:"));
  assert.equal(notes.length, 1, `expected one note, got: ${err}`);
  assert.match(notes[0], /--allow-ffi/);
});

Deno.test("LIKENESS_BACKEND=native without the library is an error saying what to install", async () => {
  const { out } = await probe(["-A"], {
    LIKENESS_BACKEND: "native",
    LIKENESS_DNNL: "/nonexistent/libdnnl.so.2",
  });
  assert.match(out, /error Cannot use backend 'native' as oneDNN: .*apt-get install libdnnl2/);
});

Deno.test({
  name: "native asks libgomp and OpenBLAS to sleep when idle (unless the user set them)",
  ignore,
  fn: async () => {
    // A fresh process: the libraries read these once, when they load.
    const mod = new URL("../../lib/backend/mod.ts", import.meta.url).href;
    const code = `const { useBackend } = await import(${JSON.stringify(mod)});
      await useBackend("native", { threads: 1 });
      console.log(JSON.stringify(["OMP_WAIT_POLICY", "OPENBLAS_THREAD_TIMEOUT"].map((v) => Deno.env.get(v) ?? null)));`;
    const keep = Object.fromEntries(
      ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "LIKENESS_DNNL", "LIKENESS_BLAS"]
        .flatMap((v) => Deno.env.get(v) === undefined ? [] : [[v, Deno.env.get(v)!]]),
    );
    const run = async (env: Record<string, string>) => {
      const command = new Deno.Command(Deno.execPath(), {
        args: ["eval", "--ext=ts", code],
        clearEnv: true, // without the two variables, whatever this process has
        env: { ...keep, ...env },
        stderr: "null",
      });
      const { stdout } = await command.output();
      return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
    };
    assert.deepEqual(await run({}), ["PASSIVE", "4"]);
    assert.deepEqual(await run({ OPENBLAS_THREAD_TIMEOUT: "8" }), ["PASSIVE", "8"]);
  },
});
