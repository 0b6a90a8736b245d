import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { fashionMnist, fashionMnistClassNames } from "../../lib/data/mod.ts";
import { makeSample } from "./_make_sample.ts";
import { missing } from "../_require.ts";

const DEBIAN = "/usr/share/datasets/fashion-mnist";
const hasDebian = !missing(
  "fashion-mnist",
  (() => {
    try {
      return Deno.statSync(`${DEBIAN}/t10k-images-idx3-ubyte.gz`).isFile
        ? undefined
        : `${DEBIAN}/t10k-images-idx3-ubyte.gz is not a file`;
    } catch (error) {
      return `${DEBIAN} not found (apt-get install dataset-fashion-mnist): ${
        (error as Error).message
      }`;
    }
  })(),
);
const sampleDir = new URL("../../lib/data/sample/", import.meta.url).pathname;

/** A temp dir holding the bundled sample under the test-set file names. */
async function sampleAsTestSet(gzip = true): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (
    const [from, to] of [["sample-images", "t10k-images-idx3-ubyte"], [
      "sample-labels",
      "t10k-labels-idx1-ubyte",
    ]]
  ) {
    const gz = await Deno.readFile(
      `${sampleDir}${from}-idx${from.endsWith("images") ? 3 : 1}-ubyte.gz`,
    );
    if (gzip) await Deno.writeFile(`${dir}/${to}.gz`, gz);
    else await Deno.writeFile(`${dir}/${to}`, gunzipSync(gz));
  }
  return dir;
}

Deno.test("fashionMnist sample: 1,000 images, 100 per class, 28×28×1 in [0, 1]", async () => {
  const d = await fashionMnist({ split: "sample" });
  assert.equal(d.size, 1000);
  assert.deepEqual(d.shape, [28, 28, 1]);
  assert.equal(d.images.length, 1000 * 784);
  assert.deepEqual(d.classNames, fashionMnistClassNames);
  const perClass = new Array(10).fill(0);
  for (const l of d.labels) perClass[l]++;
  assert.deepEqual(perClass, new Array(10).fill(100));
  let min = Infinity, max = -Infinity;
  for (const v of d.images) (min = Math.min(min, v)), (max = Math.max(max, v));
  assert.equal(min, 0);
  assert.equal(max, 1);
  const licence = await Deno.readTextFile(`${sampleDir}LICENSE.txt`);
  assert.match(licence, /MIT License/);
  assert.match(licence, /Zalando SE/);
});

Deno.test({
  name: "fashionMnist sample: is the first 100 test images per class, byte for byte",
  ignore: !hasDebian,
  fn: async () => {
    const [images, labels] = await makeSample(DEBIAN);
    const read = async (f: string) =>
      new Uint8Array(gunzipSync(await Deno.readFile(`${sampleDir}${f}`)));
    assert.deepEqual(await read("sample-images-idx3-ubyte.gz"), images);
    assert.deepEqual(await read("sample-labels-idx1-ubyte.gz"), labels);
  },
});

Deno.test("fashionMnist: the dir option reads gzipped or plain files, and only that dir", async () => {
  for (const gzip of [true, false]) {
    const dir = await sampleAsTestSet(gzip);
    try {
      const d = await fashionMnist({ split: "test", dir });
      const s = await fashionMnist({ split: "sample" });
      assert.equal(d.size, 1000);
      assert.deepEqual(d.labels, s.labels);
      assert.deepEqual(d.images, s.images);
      await assert.rejects(
        fashionMnist({ split: "train", dir }),
        new RegExp(`train from dir ${dir}: it must hold train-images-idx3-ubyte\\(.gz\\)`),
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("fashionMnist: LIKENESS_DATA comes before the cache and Debian", async () => {
  const root = await Deno.makeTempDir();
  const inner = await sampleAsTestSet();
  const previous = Deno.env.get("LIKENESS_DATA");
  try {
    await Deno.rename(inner, `${root}/fashion-mnist`);
    Deno.env.set("LIKENESS_DATA", root);
    const d = await fashionMnist({ split: "test", download: false });
    assert.equal(d.size, 1000); // the sample, not Debian's 10,000
  } finally {
    if (previous === undefined) Deno.env.delete("LIKENESS_DATA");
    else Deno.env.set("LIKENESS_DATA", previous);
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("fashionMnist: a bad split is named", async () => {
  await assert.rejects(
    fashionMnist({ split: "validation" as unknown as "train" }),
    /current split is "validation"/,
  );
});

/** Runs the probe in a child process that can read only `readable` (so not Debian's copy). */
async function probe(
  options: Record<string, unknown>,
  flags: { readable: string[]; env?: boolean; net?: string },
): Promise<Record<string, unknown>> {
  const args = ["run", "--quiet"];
  if (flags.readable.length) {
    args.push(`--allow-read=${flags.readable.join(",")}`);
    args.push(`--allow-write=${flags.readable.join(",")}`);
  }
  if (flags.env !== false) args.push("--allow-env");
  if (flags.net) args.push(`--allow-net=${flags.net}`);
  args.push(new URL("./_probe.ts", import.meta.url).pathname, JSON.stringify(options));
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: new URL("../../", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.ok(text.startsWith("{"), `probe failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text.split("\n").at(-1)!);
}

Deno.test("fashionMnist: offline with nothing found names every way to get the data", async () => {
  const cache = await Deno.makeTempDir();
  try {
    const result = await probe({ split: "train", cacheDir: cache, offline: true }, {
      readable: [cache],
    });
    assert.equal(result.ok, false);
    const message = String(result.message);
    assert.match(message, /Cannot find Fashion-MNIST train/);
    assert.match(message, /network is unreachable/);
    assert.match(message, /dir: /);
    assert.match(message, /LIKENESS_DATA/);
    assert.match(message, /apt install dataset-fashion-mnist/);
    assert.match(message, /split: "sample"/);
    // Debian's folder could not be read: the message says which permission is missing.
    assert.match(
      message,
      /could not look into \/usr\/share\/datasets\/fashion-mnist \(run with --allow-read\)/,
    );
    assert.deepEqual([...Deno.readDirSync(cache)], []);
  } finally {
    await Deno.remove(cache, { recursive: true });
  }
});

Deno.test("fashionMnist: without --allow-env or --allow-read the error says so", async () => {
  const result = await probe({ split: "test", offline: true }, { readable: [], env: false });
  assert.equal(result.ok, false);
  assert.match(String(result.message), /could not read \$LIKENESS_DATA \(run with --allow-env/);
  assert.match(String(result.message), /--allow-read/);
  const dir = await sampleAsTestSet();
  try {
    // The bundled sample needs read permission only for the package's own files.
    const sample = await probe({ split: "sample" }, { readable: [sampleDir], env: false });
    assert.equal(sample.ok, true);
    const explicit = await probe({ split: "test", dir }, { readable: [dir], env: false });
    assert.equal(explicit.size, 1000);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Serves files of `source()` over HTTP on 127.0.0.1 while `f` runs. */
async function withMirror(
  source: () => string,
  f: (baseUrl: string, net: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    async (req) => {
      const name = new URL(req.url).pathname.slice(1);
      try {
        return new Response(await Deno.readFile(`${source()}/${name}`));
      } catch {
        return new Response("not found", { status: 404 });
      }
    },
  );
  const net = `127.0.0.1:${server.addr.port}`;
  try {
    await f(`http://${net}/`, net);
  } finally {
    await server.shutdown();
  }
}

Deno.test("fashionMnist: a mirror with wrong bytes or missing files saves nothing", async () => {
  const cache = await Deno.makeTempDir();
  const corrupt = await sampleAsTestSet();
  try {
    await withMirror(() => corrupt, async (baseUrl, net) => {
      // Wrong bytes: a checksum error naming the file and both checksums.
      const bad = await probe({ split: "test", cacheDir: cache, baseUrl }, {
        readable: [cache],
        net,
      });
      assert.equal(bad.ok, false);
      assert.match(
        String(bad.message),
        /t10k-images-idx3-ubyte.gz: checksum mismatch \(MD5 [0-9a-f]{32}, expected bef4ecab320f06d8554ea6380940ec79; SHA-256/,
      );
      // Missing files (HTTP 404): the error lists the other ways to get the data.
      const missing = await probe({ split: "train", cacheDir: cache, baseUrl }, {
        readable: [cache],
        net,
      });
      assert.equal(missing.ok, false);
      assert.match(String(missing.message), /train-images-idx3-ubyte.gz: HTTP 404/);
      assert.match(String(missing.message), /apt install dataset-fashion-mnist/);
    });
    assert.deepEqual([...Deno.readDirSync(cache)], []);
  } finally {
    await Deno.remove(cache, { recursive: true });
    await Deno.remove(corrupt, { recursive: true });
  }
});

Deno.test({
  name: "fashionMnist: downloads from a mirror into the cache, verified, with progress",
  ignore: !hasDebian,
  fn: async () => {
    const cache = await Deno.makeTempDir();
    try {
      await withMirror(() => DEBIAN, async (baseUrl, net) => {
        // A mirror with the real data (Debian's recompressed copy): accepted and cached.
        const good = await probe({ split: "test", cacheDir: cache, baseUrl }, {
          readable: [cache],
          net,
        });
        assert.equal(good.ok, true, String(good.message));
        assert.equal(good.size, 10000);
        assert.ok(Number(good.progress) >= 4);
        assert.deepEqual((good.last as Record<string, unknown>).done, true);
        const files = [...Deno.readDirSync(cache)].map((e) => e.name).sort();
        assert.deepEqual(files, ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]);
        // Second run: found in the cache, no network needed.
        const cached = await probe({ split: "test", cacheDir: cache, offline: true }, {
          readable: [cache],
        });
        assert.equal(cached.size, 10000);
        assert.equal(cached.sum, good.sum);
      });
    } finally {
      await Deno.remove(cache, { recursive: true });
    }
  },
});
