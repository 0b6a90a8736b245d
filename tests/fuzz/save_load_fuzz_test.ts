/**
 * Property tests of saveModel / loadModel on hostile input (issue 12): for arbitrary
 * mutations of metadata.json, model.json and weights.bin, loadModel either loads the model
 * the files describe — with finite embeddings of the promised width — or throws an Error that
 * names the model folder; for arbitrary options and arbitrary things already at the path,
 * saveModel either saves a model that loads back or throws an Error naming the option or the
 * path, having written nothing.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import fc from "fast-check";
import { loadModel } from "../../lib/train/load_model.ts";
import { saveModel } from "../../lib/train/save_model.ts";

await tf.setBackend("cpu");

const NUM_RUNS = Number(Deno.env.get("LIKENESS_FUZZ_RUNS") ?? 100);

const root = await Deno.makeTempDir({ prefix: "likeness-save-load-fuzz-" });
const embedder = tf.sequential({
  layers: [
    tf.layers.flatten({ inputShape: [2, 2] }),
    tf.layers.dense({
      units: 3,
      activation: "relu",
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
    tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  ],
});
await saveModel({ embedder }, `${root}/template`, { threshold: 0.5, classNames: ["a", "b"] });
const template = {
  metadata: await Deno.readTextFile(`${root}/template/metadata.json`),
  model: await Deno.readTextFile(`${root}/template/model.json`),
  weights: await Deno.readFile(`${root}/template/weights.bin`),
};
const x = tf.randomUniform([4, 2, 2], -1, 1, "float32", 3);
const expected = Array.from((embedder.predict(x) as tf.Tensor).dataSync());

let serial = 0;
/** A fresh copy of the template model with the given file contents. */
async function modelDir(files: Partial<typeof template>): Promise<string> {
  serial += 1;
  const dir = `${root}/m${serial}`;
  await Deno.mkdir(dir);
  await Deno.writeTextFile(`${dir}/metadata.json`, files.metadata ?? template.metadata);
  await Deno.writeTextFile(`${dir}/model.json`, files.model ?? template.model);
  await Deno.writeFile(`${dir}/weights.bin`, files.weights ?? template.weights);
  return dir;
}

/**
 * The property: loadModel(dir) throws an Error naming `dir`, or loads a model whose embedding
 * of x is finite and as wide as its metadata says (and, when `same` is set, the original's).
 * No tensor is leaked either way.
 */
async function loadsOrNamesTheFolder(
  dir: string,
  same: boolean,
  finite = true,
): Promise<void> {
  const before = tf.memory().numTensors;
  let loaded;
  try {
    loaded = await loadModel(dir);
  } catch (error) {
    assert.ok(error instanceof Error, `a non-Error was thrown: ${String(error)}`);
    assert.ok(
      error.constructor === Error && error.message.startsWith("Cannot load model") &&
        error.message.includes(dir),
      `unclear error: ${error.constructor.name}: ${error.message}`,
    );
    assert.equal(tf.memory().numTensors, before, `leak after: ${error.message}`);
    await Deno.remove(dir, { recursive: true });
    return;
  }
  const y = loaded.embed(x);
  const values = Array.from(y.dataSync());
  assert.deepEqual(y.shape, [4, loaded.metadata.embeddingSize]);
  if (finite) assert.ok(values.every(Number.isFinite), `non-finite embedding ${values}`);
  if (same) assert.deepEqual(values, expected);
  y.dispose();
  loaded.dispose();
  assert.equal(tf.memory().numTensors, before, "leak after a load");
  await Deno.remove(dir, { recursive: true });
}

// deno-lint-ignore no-explicit-any
type Json = any;

/** Every path (list of keys) into a JSON value, up to `limit`. */
function paths(value: Json, limit = 400): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (v: Json, path: (string | number)[]) => {
    if (out.length >= limit) return;
    out.push(path);
    if (Array.isArray(v)) v.forEach((c, i) => walk(c, [...path, i]));
    else if (v && typeof v === "object") {
      for (const k of Object.keys(v)) {
        walk(v[k], [...path, k]);
      }
    }
  };
  walk(value, []);
  return out;
}

/** Replaces (or deletes, for `undefined`) the value at `path`; returns the new root. */
function mutate(value: Json, path: (string | number)[], replacement: Json): Json {
  if (path.length === 0) return replacement;
  const copy = structuredClone(value);
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  const last = path.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(last as number, 1);
    else delete node[last];
  } else node[last] = replacement;
  return copy;
}

/** Small hostile JSON values: no huge numbers (a topology with 1e9 units is a real model). */
const smallValue: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.boolean(),
  fc.integer({ min: -3, max: 12 }),
  fc.constantFrom(0.5, -0.0, 1e-40, 1e300, NaN, Infinity),
  fc.constantFrom(
    "",
    "..",
    "../../etc/passwd",
    "/etc/passwd",
    "weights.bin",
    "string",
    "float32",
    "int32",
    "bool",
    "complex64",
    "likeness-model",
    "Dense",
    "relu",
    "x\u0000y",
  ),
  fc.string({ maxLength: 8 }),
  fc.array(fc.integer({ min: -2, max: 6 }), { maxLength: 4 }),
  fc.dictionary(
    fc.constantFrom("name", "shape", "dtype", "paths", "weights"),
    fc.integer({ min: -1, max: 4 }),
    { maxKeys: 3 },
  ),
);

/** One to three mutations of a JSON text, sometimes then cut short. */
const mutatedJson = (text: string) => {
  const json = JSON.parse(text);
  const all = paths(json);
  return fc.tuple(
    fc.array(fc.tuple(fc.nat({ max: all.length - 1 }), smallValue), { minLength: 1, maxLength: 3 }),
    fc.option(fc.nat({ max: text.length }), { freq: 5 }),
  ).map(([edits, cut]) => {
    let value = json;
    for (const [i, replacement] of edits) {
      const candidates = paths(value);
      value = mutate(value, candidates[i % candidates.length], replacement);
    }
    const out = JSON.stringify(value) ?? "";
    return cut === null ? out : out.slice(0, cut);
  });
};

/** Whether a mutated model.json leaves the model's topology as it was. */
const topologyKept = (text: string) => {
  try {
    return JSON.stringify(JSON.parse(text).modelTopology) ===
      JSON.stringify(JSON.parse(template.model).modelTopology);
  } catch {
    return false;
  }
};

Deno.test("fuzz: any mutation of metadata.json → a clear error or the same model", async () => {
  await fc.assert(
    fc.asyncProperty(mutatedJson(template.metadata), async (metadata) => {
      await loadsOrNamesTheFolder(await modelDir({ metadata }), true);
    }),
    { numRuns: NUM_RUNS },
  );
});

Deno.test("fuzz: any mutation of model.json → a clear error or the model it describes", async () => {
  await fc.assert(
    fc.asyncProperty(mutatedJson(template.model), async (model) => {
      await loadsOrNamesTheFolder(await modelDir({ model }), topologyKept(model));
    }),
    { numRuns: NUM_RUNS * 2 },
  );
});

Deno.test("fuzz: weights.bin cut, extended or overwritten → a clear error or those weights", async () => {
  const n = template.weights.length;
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.nat({ max: n - 1 }).map((k) => template.weights.slice(0, k)),
        fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => {
          const out = new Uint8Array(n + extra.length);
          out.set(template.weights);
          out.set(extra, n);
          return out;
        }),
        fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }).map((edits) => {
          const out = new Uint8Array(template.weights);
          for (const [i, b] of edits) out[i] = b;
          return out;
        }),
      ),
      async (weights) => {
        const dir = await modelDir({ weights });
        const floats = new Float32Array(weights.slice().buffer, 0, Math.floor(weights.length / 4));
        let loaded;
        try {
          loaded = await loadModel(dir);
        } catch {
          await loadsOrNamesTheFolder(dir, false); // checks the error
          return;
        }
        // Loaded: then the weights are exactly the file's, and finite. (Finite weights as
        // large as 1e38 can still overflow an embedding to Infinity: that is the file's
        // arithmetic, not corruption, and the gallery refuses non-finite embeddings.)
        const got = loaded.embedder.getWeights().flatMap((w) => Array.from(w.dataSync()));
        assert.deepEqual(got, Array.from(floats));
        assert.ok(got.every(Number.isFinite), `non-finite weights loaded: ${got}`);
        loaded.dispose();
        await loadsOrNamesTheFolder(dir, false, false);
      },
    ),
    { numRuns: NUM_RUNS },
  );
});

Deno.test("fuzz: saveModel with arbitrary options and arbitrary things at the path", async () => {
  const entry = fc.oneof(
    fc.constant({ kind: "none" as const }),
    fc.constant({ kind: "empty" as const }),
    fc.record({ kind: fc.constant("file" as const), text: fc.string({ maxLength: 10 }) }),
    fc.record({
      kind: fc.constant("folder" as const),
      files: fc.dictionary(
        fc.constantFrom("a.txt", "metadata.json", "model.json", "weights.bin", "head"),
        fc.string({ maxLength: 20 }),
        { minKeys: 1, maxKeys: 3 },
      ),
    }),
    fc.constant({ kind: "model" as const }),
  );
  const options = fc.record({
    overwrite: fc.oneof(fc.boolean(), smallValue),
    threshold: fc.oneof(fc.double(), smallValue),
    seed: fc.oneof(fc.integer(), smallValue),
    normalisation: fc.oneof(fc.constantFrom("l2", "none"), smallValue),
    classNames: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), smallValue),
    extra: fc.oneof(
      fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      smallValue,
    ),
  }, { requiredKeys: [] });
  await fc.assert(
    fc.asyncProperty(entry, options, async (at, opts) => {
      serial += 1;
      const parent = `${root}/s${serial}`;
      const dir = `${parent}/model`;
      await Deno.mkdir(parent);
      if (at.kind === "empty") await Deno.mkdir(dir);
      if (at.kind === "file") await Deno.writeTextFile(dir, at.text);
      if (at.kind === "folder") {
        await Deno.mkdir(dir);
        for (const [name, text] of Object.entries(at.files)) {
          await Deno.writeTextFile(`${dir}/${name}`, text);
        }
      }
      if (at.kind === "model") await saveModel({ embedder }, dir, { extra: { first: true } });
      const snapshot = async () => {
        const out: Record<string, string> = {};
        const walk = async (path: string, name: string) => {
          const info = await Deno.lstat(path);
          if (info.isDirectory) {
            out[name] = "<dir>";
            for await (const e of Deno.readDir(path)) {
              await walk(`${path}/${e.name}`, `${name}/${e.name}`);
            }
          } else out[name] = await Deno.readTextFile(path);
        };
        await walk(parent, ".");
        return out;
      };
      const before = await snapshot();
      let metadata;
      try {
        metadata = await saveModel({ embedder }, dir, opts as Record<string, unknown>);
      } catch (error) {
        assert.ok(error instanceof Error && error.constructor === Error, String(error));
        assert.ok(
          /^Cannot save model as (options\.\w+|options\.spec or options\.extra) /.test(
            error.message,
          ) ||
            error.message.startsWith(`Cannot save model as ${dir} `),
          error.message,
        );
        assert.deepEqual(await snapshot(), before, `${error.message}: something changed`);
        await Deno.remove(parent, { recursive: true });
        return;
      }
      // Saved: only where nothing of the user's was, or over a model with overwrite: true.
      assert.ok(
        at.kind === "none" || at.kind === "empty" ||
          (at.kind === "model" && opts.overwrite === true),
        `saved over ${JSON.stringify(at)} with ${JSON.stringify(opts)}`,
      );
      const names = [];
      for await (const e of Deno.readDir(parent)) names.push(e.name);
      assert.deepEqual(names, ["model"]);
      const loaded = await loadModel(dir);
      assert.deepEqual(loaded.metadata, JSON.parse(JSON.stringify(metadata)));
      const y = loaded.embed(x);
      assert.deepEqual(Array.from(y.dataSync()), expected);
      y.dispose();
      loaded.dispose();
      await Deno.remove(parent, { recursive: true });
    }),
    { numRuns: NUM_RUNS },
  );
});

Deno.test("fuzz: clean up", async () => {
  x.dispose();
  embedder.dispose();
  await Deno.remove(root, { recursive: true });
});
