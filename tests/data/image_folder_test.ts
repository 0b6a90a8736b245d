import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  DataFileError,
  DataNotFoundError,
  imageBatches,
  imageFolder,
  imageManifest,
} from "../../lib/data/mod.ts";
import { batch, pk, repeat, seeded, take, triplets } from "../../lib/samplers/mod.ts";
import { pipe } from "../../lib/pipe.ts";
import { encode, rgba } from "./_images.ts";

await tf.setBackend("cpu");

async function folder(files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, content] of Object.entries(files)) {
    const path = `${dir}/${name}`;
    await Deno.mkdir(path.slice(0, path.lastIndexOf("/")), { recursive: true });
    if (typeof content === "string") await Deno.writeTextFile(path, content);
    else await Deno.writeFile(path, content);
  }
  return dir;
}

const solid = (r: number, g: number, b: number, a = 255) => () => [r, g, b, a];

Deno.test("imageFolder reads grey, RGB and RGBA PNG and JPEG of mixed sizes into [0, 1] at the asked size", async () => {
  const dir = await folder({
    "red/a.png": await encode("png", 5, 3, rgba(5, 3, solid(255, 0, 0))),
    "red/b.jpg": await encode("jpeg", 16, 16, rgba(16, 16, solid(255, 0, 0))),
    "grey/c.png": await encode("png", 2, 2, rgba(2, 2, solid(51, 51, 51))),
    "grey/d.PNG": await encode("png", 7, 9, rgba(7, 9, solid(51, 51, 51, 10))), // alpha dropped
    ".hidden/x.png": "ignored",
    "README.txt": "top-level files are ignored",
  });
  const rgb = await imageFolder(dir, { size: [4, 6], channels: 3 });
  assert.deepEqual(rgb.classNames, ["grey", "red"]);
  assert.deepEqual([...rgb.labels], [0, 0, 1, 1]);
  assert.deepEqual(rgb.shape, [4, 6, 3]);
  const px = await rgb.load([0, 1, 2, 3]);
  for (const p of px) assert.equal(p.length, 72);
  for (const v of px[0]) assert.ok(Math.abs(v - 0.2) < 1e-6, `grey png ${v}`);
  for (const v of px[1]) assert.ok(Math.abs(v - 0.2) < 1e-6, `rgba png ${v}`);
  for (let i = 0; i < 24; i++) assert.deepEqual([...px[2].subarray(i * 3, i * 3 + 3)], [1, 0, 0]);
  for (let i = 0; i < 24; i++) { // JPEG: lossy, close to pure red
    assert.ok(px[3][i * 3] > 0.95 && px[3][i * 3 + 1] < 0.05 && px[3][i * 3 + 2] < 0.05);
  }
  const grey = await imageFolder(dir, { size: 2, channels: 1 });
  const [g, r] = await grey.load([0, 2]);
  assert.ok(g.every((v) => Math.abs(v - 0.2) < 1e-6));
  assert.ok(r.every((v) => Math.abs(v - 0.299) < 1e-6), `luma of red ${r}`);
  assert.throws(() => rgb.images, /streams them from disk.*materialize/);
  // the in-memory tensorBatches refuses it with the same pointer to imageBatches
  const { tensorBatches } = await import("../../lib/data/mod.ts");
  assert.throws(() => tensorBatches(rgb), /use data\.imageBatches\(dataset\)/);
  const m = await rgb.materialize();
  assert.equal(m.images.length, 4 * 72);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("imageFolder names the file or class that is wrong, when opened or when loaded", async () => {
  const png = await encode("png", 2, 2, rgba(2, 2, solid(0, 0, 0)));
  const cases: [Record<string, Uint8Array | string>, RegExp, string][] = [
    [{ "a/1.png": png, "b/notes.txt": "x" }, /b\/notes\.txt is not a JPEG or PNG/, "b/notes.txt"],
    [{ "a/1.png": png, "b/": "" }, /class "b" has no images/, ""],
    [{ "a/1.png": png }, /at least 2 classes.*only class "a"/, ""],
  ];
  for (const [files, re, file] of cases) {
    const dir = await Deno.makeTempDir();
    for (const [n, c] of Object.entries(files)) {
      await Deno.mkdir(`${dir}/${n.split("/")[0]}`, { recursive: true });
      if (!n.endsWith("/")) {
        await (typeof c === "string"
          ? Deno.writeTextFile(`${dir}/${n}`, c)
          : Deno.writeFile(`${dir}/${n}`, c));
      }
    }
    await assert.rejects(imageFolder(dir, { size: 2 }), (err: unknown) => {
      assert.ok(err instanceof DataFileError, String(err));
      assert.match(err.message, re);
      if (file) assert.equal(err.file, `${dir}/${file}`);
      return true;
    });
    await Deno.remove(dir, { recursive: true });
  }
  await assert.rejects(imageFolder("/no/such/dir", { size: 2 }), DataNotFoundError);
  // a corrupt image and a text file named .jpg fail when loaded, naming the file
  const dir = await folder({
    "a/1.png": png,
    "a/2.jpg": "not a jpeg",
    "b/1.png": png.slice(0, 40),
  });
  // by default opening the folder reads each file's header and names the first bad one
  await assert.rejects(imageFolder(dir, { size: 2 }), (e: unknown) => {
    assert.ok(e instanceof DataFileError && e.reason === "corrupt" && e.file === `${dir}/a/2.jpg`);
    assert.match(e.message, /neither a JPEG nor a PNG file: its first bytes are 6e 6f 74/);
    return true;
  });
  // with check "none" the same errors come when the image is loaded
  const d = await imageFolder(dir, { size: 2, check: "none" });
  await assert.rejects(d.load([1]), (e: unknown) => {
    assert.ok(e instanceof DataFileError && e.reason === "corrupt" && e.file === `${dir}/a/2.jpg`);
    assert.match(e.message, /neither a JPEG nor a PNG/);
    return true;
  });
  await assert.rejects(d.load([2]), (e: unknown) => {
    assert.ok(e instanceof DataFileError && e.file === `${dir}/b/1.png`, String(e));
    return true;
  });
  assert.equal((await d.load([0]))[0].length, 12);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("imageManifest reads CSV and JSON, keeps a split, refuses paths escaping its folder", async () => {
  const png = (v: number) => encode("png", 3, 3, rgba(3, 3, solid(v, v, v)));
  const dir = await folder({
    "imgs/a.png": await png(0),
    "imgs/b.png": await png(255),
    "imgs/c.png": await png(255),
    "m.csv":
      'path,label,split\nimgs/a.png,dark,train\n"imgs/b.png",light,train\nimgs/c.png,light,test\n',
    "m.json": JSON.stringify([
      { path: "imgs/a.png", label: 10 },
      { path: "./imgs/b.png", label: 2 },
    ]),
    "evil.csv": "path,label\nimgs/a.png,a\nimgs/../../x.png,b\n",
    "abs.json": JSON.stringify([{ path: "/etc/x.png", label: "a" }]),
    "bad.csv": "path,label\nimgs/a.png\n",
  });
  const train = await imageManifest(`${dir}/m.csv`, { size: 1, channels: 1, split: "train" });
  assert.deepEqual(train.classNames, ["dark", "light"]);
  assert.deepEqual((await train.load([0, 1])).map((p) => p[0]), [0, 1]);
  const all = await imageManifest(`${dir}/m.json`, { size: 1, channels: 1 });
  assert.deepEqual(all.classNames, ["2", "10"], "integer labels sort numerically");
  assert.deepEqual([...all.labels], [1, 0]);
  assert.equal(all.files[1], `${dir}/imgs/b.png`);
  await assert.rejects(
    imageManifest(`${dir}/evil.csv`, { size: 1 }),
    /path "imgs\/\.\.\/\.\.\/x\.png" of its row 3 resolves outside the manifest's folder/,
  );
  await assert.rejects(
    imageManifest(`${dir}/abs.json`, { size: 1 }),
    /"\/etc\/x\.png" of its item 0 resolves outside/,
  );
  await assert.rejects(imageManifest(`${dir}/bad.csv`, { size: 1 }), /row 2 has 1 fields/);
  await assert.rejects(
    imageManifest(`${dir}/m.csv`, { size: 1, split: "val" }),
    /no images of split "val"/,
  );
  await assert.rejects(imageManifest(`${dir}/none.csv`, { size: 1 }), DataNotFoundError);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a folder bigger than the cache streams through P×K and triplet samplers with the cache bounded", async () => {
  const files: Record<string, Uint8Array> = {};
  for (let c = 0; c < 4; c++) {
    for (let i = 0; i < 12; i++) {
      files[`c${c}/${i}.png`] = await encode(
        "png",
        16,
        16,
        rgba(16, 16, (x, y) => [c * 60, i * 20, (x + y) * 8, 255]),
      );
    }
  }
  const dir = await folder(files);
  const perImage = 8 * 8 * 3 * 4;
  const d = await imageFolder(dir, { size: 8, cacheBytes: 10 * perImage }); // 10 of 48 images
  const before = tf.memory().numTensors;
  const stats = { waitedMs: 0, batches: 0 };
  let maxCache = 0;
  const seen = new Set<number>();
  const source = pipe(triplets(d), repeat(), batch(6), take(12), seeded(1));
  for await (const t of imageBatches(d, { ahead: 1, stats })(source)) {
    assert.deepEqual(t.anchor.shape, [6, 8, 8, 3]);
    maxCache = Math.max(maxCache, d.cache.bytes);
    assert.ok(d.cache.bytes <= d.cache.maxBytes);
    seen.add(t.anchor.dataSync()[0]);
  }
  const labelled = pipe(pk(d, { p: 2, k: 3 }), take(8), seeded(2));
  for await (const t of imageBatches(d)(labelled)) {
    assert.deepEqual(t.embeddings.shape, [6, 8, 8, 3]);
    assert.ok(d.cache.bytes <= d.cache.maxBytes);
  }
  assert.equal(stats.batches, 12);
  assert.ok(d.cache.peakBytes <= 10 * perImage, `peak ${d.cache.peakBytes}`);
  assert.ok(maxCache > 0 && d.cache.misses > 10, "images were decoded and evicted");
  assert.equal(tf.memory().numTensors, before);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("streamed batches hold the same pixels as the materialized dataset, and augmentation is seeded", async () => {
  const { flip, compose, colorJitter } = (await import("../../lib/data/mod.ts")).augment;
  const files: Record<string, Uint8Array> = {};
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < 3; i++) {
      files[`k${c}/${i}.png`] = await encode(
        "png",
        4,
        4,
        rgba(4, 4, (x) => [x * 60, c * 200, i * 50, 255]),
      );
    }
  }
  const dir = await folder(files);
  const d = await imageFolder(dir, { size: 4 });
  const m = await d.materialize();
  const b = [[{ kind: "labelled" as const, index: 4, label: 1 }, {
    kind: "labelled" as const,
    index: 1,
    label: 0,
  }]];
  for await (const t of imageBatches(d)(b)) {
    const got = t.embeddings.dataSync();
    assert.deepEqual([...got.subarray(0, 48)], [...m.images.subarray(4 * 48, 5 * 48)]);
    assert.deepEqual([...t.labels.dataSync()], [1, 0]);
  }
  const aug = compose(flip(), colorJitter());
  const run = async (seed: number) => {
    const out: number[][] = [];
    for await (const t of imageBatches(d, { augment: aug, seed })(b)) {
      out.push([...t.embeddings.dataSync()]);
    }
    return out;
  };
  assert.deepEqual(await run(3), await run(3));
  assert.notDeepEqual(await run(3), await run(4));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the splits and subset of an image dataset stay lazy image datasets sharing one cache", async () => {
  const { classDisjointSplit, isImageDataset, stratifiedSplit, subset } = await import(
    "../../lib/data/mod.ts"
  );
  const files: Record<string, Uint8Array> = {};
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < 4; i++) {
      files[`c${c}/${i}.png`] = await encode("png", 2, 2, rgba(2, 2, solid(c * 100, i * 60, 0)));
    }
  }
  const dir = await folder(files);
  const d = await imageFolder(dir, { size: 2 });
  const { seen, unseen } = classDisjointSplit(d, { seen: [0, 2] });
  assert.ok(isImageDataset(seen) && isImageDataset(unseen));
  assert.equal(seen.size, 8);
  assert.deepEqual([...unseen.labels], [1, 1, 1, 1]);
  const { train, validation } = stratifiedSplit(seen, { validationFraction: 0.25, seed: 1 });
  assert.ok(isImageDataset(train) && isImageDataset(validation));
  assert.equal(train.size + validation.size, 8);
  const s = subset(d, [5, 0]);
  assert.ok(isImageDataset(s));
  assert.deepEqual(s.files, [`${dir}/c1/1.png`, `${dir}/c0/0.png`]);
  const [a] = await s.load([0]);
  const [b] = await d.load([5]);
  assert.equal(a, b, "the subset's load is served from the shared cache");
  assert.deepEqual([...a.subarray(0, 3)].map((v) => Math.round(v * 255)), [100, 60, 0]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("decoding in workers gives the same pixels and errors as on the main thread, and an idle pool does not hold the process", async () => {
  const files: Record<string, Uint8Array | string> = {
    "b/bad.png": "not a png",
  };
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < 5; i++) {
      files[`${"ab"[c]}/${i}.jpg`] = await encode(
        "jpeg",
        20,
        14,
        rgba(20, 14, (x, y) => [x * 12, y * 18, c * 200, 255]),
      );
    }
  }
  const dir = await folder(files);
  const main = await imageFolder(dir, { size: [6, 8], check: "none" });
  const pooled = await imageFolder(dir, { size: [6, 8], workers: 2, check: "none" });
  const good = Array.from({ length: 10 }, (_, i) => i).filter((i) =>
    !main.files[i].endsWith("bad.png")
  );
  const [a, b] = [await main.load(good), await pooled.load(good)];
  assert.deepEqual(b.map((p) => [...p]), a.map((p) => [...p]));
  const bad = main.files.indexOf(`${dir}/b/bad.png`);
  await assert.rejects(pooled.load([bad]), (e: unknown) => {
    assert.ok(
      e instanceof DataFileError && e.file === `${dir}/b/bad.png` && e.reason === "corrupt",
      String(e),
    );
    return true;
  });
  await Deno.remove(dir, { recursive: true });
  // the test runner fails a test that leaves a worker or op running; none is left here
});

Deno.test("views: 2 gives two independently augmented views per item, labelled by item (SimCLR form)", async () => {
  const { augment } = await import("../../lib/data/mod.ts");
  const files: Record<string, Uint8Array> = {};
  for (let c = 0; c < 2; c++) {
    for (let i = 0; i < 3; i++) {
      files[`k${c}/${i}.png`] = await encode(
        "png",
        6,
        6,
        rgba(6, 6, (x, y) => [x * 40, y * 40, c * 200 + i * 10, 255]),
      );
    }
  }
  const dir = await folder(files);
  const d = await imageFolder(dir, { size: 6 });
  const aug = augment.compose(augment.randomResizedCrop({ scale: [0.3, 1] }), augment.flip());
  const batches = [
    [0, 4, 5].map((index) => ({ kind: "labelled" as const, index, label: d.labels[index] })),
  ];
  const run = async (seed: number) => {
    const out: { px: number[]; labels: number[]; shape: number[] }[] = [];
    for await (const t of imageBatches(d, { augment: aug, views: 2, seed })(batches)) {
      out.push({
        px: [...t.embeddings.dataSync()],
        labels: [...t.labels.dataSync()],
        shape: t.embeddings.shape,
      });
    }
    return out[0];
  };
  const a = await run(11);
  assert.deepEqual(a.shape, [6, 6, 6, 3]);
  assert.deepEqual(a.labels, [0, 1, 2, 0, 1, 2]);
  const per = 108;
  assert.notDeepEqual(
    a.px.slice(0, per),
    a.px.slice(3 * per, 4 * per),
    "two different views of item 0",
  );
  assert.deepEqual(await run(11), a, "same seed, same views");
  assert.throws(() => imageBatches(d, { views: 2 }), /views is 2 but options.augment is not given/);
  const pairs = [[{ kind: "pair" as const, left: 0, right: 1, same: true }]];
  await assert.rejects(async () => {
    for await (const _ of imageBatches(d, { augment: aug, views: 2 })(pairs)) { /* */ }
  }, /views 2 needs labelled batches.*"pair"/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("an image whose header declares more than 50 megapixels is refused before decoding, naming it", async () => {
  const { declaredSize } = await import("../../lib/data/_image_decode.ts");
  const png = await encode("png", 3, 2, rgba(3, 2, solid(1, 2, 3)));
  const jpg = await encode("jpeg", 5, 4, rgba(5, 4, solid(1, 2, 3)));
  assert.deepEqual(declaredSize(png, "png"), [3, 2]);
  assert.deepEqual(declaredSize(jpg, "jpeg"), [5, 4]);
  const bigPng = png.slice();
  new DataView(bigPng.buffer).setUint32(16, 40000);
  new DataView(bigPng.buffer).setUint32(20, 40000);
  const bigJpg = jpg.slice();
  const sof = bigJpg.findIndex((b, i) =>
    b === 0xff && (bigJpg[i + 1] === 0xc0 || bigJpg[i + 1] === 0xc2)
  );
  new DataView(bigJpg.buffer).setUint16(sof + 5, 60000);
  new DataView(bigJpg.buffer).setUint16(sof + 7, 60000);
  const dir = await folder({ "a/big.png": bigPng, "b/big.jpg": bigJpg });
  await assert.rejects(
    imageFolder(dir, { size: 4 }),
    /a\/big\.png as its PNG header declares 40000 × 40000/,
  );
  const d = await imageFolder(dir, { size: 4, check: "none" });
  for (
    const [i, what] of [[0, "PNG header declares 40000 × 40000"], [
      1,
      "JPEG header declares 60000 × 60000",
    ]] as const
  ) {
    await assert.rejects(d.load([i]), (e: unknown) => {
      assert.ok(e instanceof DataFileError && e.file === d.files[i], String(e));
      assert.match(e.message, new RegExp(what));
      return true;
    });
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("imageFolder searches sub-folders of a class; check: decode catches corrupt data when opening", async () => {
  const png = await encode("png", 3, 3, rgba(3, 3, solid(10, 20, 30)));
  const dir = await folder({ "a/x/y/1.png": png, "a/2.png": png, "b/1.png": png });
  const d = await imageFolder(dir, { size: 3 });
  assert.deepEqual(d.files, [`${dir}/a/2.png`, `${dir}/a/x/y/1.png`, `${dir}/b/1.png`]);
  assert.deepEqual([...d.labels], [0, 0, 1]);
  const checked = await imageFolder(dir, { size: 3, check: "decode" });
  assert.equal(checked.cache.misses, 3, "every image was decoded once");
  await Deno.writeFile(`${dir}/b/2.png`, png.slice(0, 60)); // a valid header, truncated data
  await imageFolder(dir, { size: 3 }); // the header check passes
  await assert.rejects(imageFolder(dir, { size: 3, check: "decode" }), (e: unknown) => {
    assert.ok(e instanceof DataFileError && e.file === `${dir}/b/2.png`, String(e));
    return true;
  });
  await assert.rejects(
    imageFolder(dir, { size: 3, check: "all" as "none" }),
    /check must be "none", "header" or "decode": current check is "all"/,
  );
  await Deno.remove(dir, { recursive: true });
});
