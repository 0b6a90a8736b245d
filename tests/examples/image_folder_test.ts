/**
 * examples/image_folder.ts end to end on a real folder: Fashion-MNIST test images (the bundled
 * sample when the test set is not installed) written as JPEG and PNG files of mixed sizes, some
 * tinted RGB, one sub-folder per class. The example runs as a subprocess with the permissions
 * its header states, trains a few steps, and leaves a model, metrics.json and a report whose
 * gallery shows colour; a folder with a corrupt or non-image file, an empty class or a single
 * class ends it with exit code 1 and a message naming the file or class.
 */
import assert from "node:assert/strict";
import { encode as encodeJpeg } from "@jsquash/jpeg";
import { encode as encodePng } from "@jsquash/png";
import { DataNotFoundError, fashionMnist } from "../../lib/data/mod.ts";
import type { Dataset } from "../../lib/types.ts";
import { runExample } from "./_run.ts";
import { decodePng } from "../report/_inspect.ts";

const root = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

async function testImages(): Promise<Dataset> {
  try {
    return await fashionMnist({ split: "test", download: false });
  } catch (error) {
    if (!(error instanceof DataNotFoundError)) throw error;
    return await fashionMnist({ split: "sample" });
  }
}

/** Image `i` of `d` at `side` × `side` (nearest pixel), as RGBA; tinted when `tint`. */
function rgba(d: Dataset, i: number, side: number, tint: boolean): ImageData {
  const out = new Uint8ClampedArray(side * side * 4);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const v = 255 *
        d.images[i * 784 + Math.floor((y * 28) / side) * 28 + Math.floor((x * 28) / side)];
      out.set(tint ? [v, v * 0.6, v * 0.3, 255] : [v, v, v, 255], (y * side + x) * 4);
    }
  }
  return { data: out, width: side, height: side, colorSpace: "srgb" } as ImageData;
}

const CLASSES = ["T-shirt", "Trouser", "Bag", "Sneaker"];
const PER_CLASS = 10;

/** Writes the folder: PER_CLASS images of each of CLASSES, JPEG/PNG, 20/28/40 px, 1 in 3 RGB. */
async function writeFolder(dir: string): Promise<void> {
  const d = await testImages();
  for (const name of CLASSES) {
    const label = d.classNames.findIndex((c) => c.startsWith(name));
    await Deno.mkdir(`${dir}/${name}`, { recursive: true });
    let n = 0;
    for (let i = 0; i < d.size && n < PER_CLASS; i++) {
      if (d.labels[i] !== label) continue;
      const image = rgba(d, i, [28, 20, 40][n % 3], n % 3 === 1);
      const jpeg = n % 2 === 0;
      const bytes = jpeg ? await encodeJpeg(image, { quality: 90 }) : await encodePng(image);
      await Deno.writeFile(`${dir}/${name}/${n}.${jpeg ? "jpg" : "png"}`, new Uint8Array(bytes));
      n++;
    }
  }
}

/** Runs the example on `dir` expecting a failure; returns its stderr. */
async function fails(dir: string, out: string): Promise<string> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      `--allow-write=${out}`,
      `${root}examples/image_folder.ts`,
      "--data",
      dir,
      "--out",
      out,
      "--backend",
      "cpu",
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const stderr = decoder.decode(output.stderr);
  assert.equal(output.code, 1, `expected exit code 1, got ${output.code}:\n${stderr}`);
  assert.ok(!stderr.includes("    at "), `a message, not a stack trace:\n${stderr}`);
  return stderr;
}

const base = await Deno.makeTempDir({ prefix: "likeness_image_folder_" });
const dir = `${base}/photos`;
await writeFolder(dir);

Deno.test("image_folder trains, evaluates and reports on a folder of JPEG and PNG files", async () => {
  const out = `${base}/run`;
  const { stdout } = await runExample("image_folder", out, [
    "--data",
    dir,
    "--size",
    "16",
    "--steps",
    "3",
    "--batch",
    "6",
    "--embedding",
    "8",
    "--backend",
    "wasm",
  ]);
  assert.match(stdout, /image_folder →/);
  const metrics = JSON.parse(await Deno.readTextFile(`${out}/metrics.json`));
  assert.equal(metrics.example, "image_folder");
  assert.equal(metrics.steps, 3);
  assert.equal(metrics.trainImages, 28, "70% of each class trains");
  assert.match(metrics.data.train, /40 images, 4 classes, 16 px/);
  const auc = metrics.verification.auc;
  assert.ok(auc >= 0 && auc <= 1, `auc ${auc}`);
  const model = JSON.parse(await Deno.readTextFile(`${out}/model/model.json`));
  assert.deepEqual(model.modelTopology.config.layers[0].config.batch_input_shape, [
    null,
    16,
    16,
    3,
  ]);
  // the report's neighbour gallery draws the test images in colour: its PNGs are truecolour
  // and the tinted ones (red > green > blue) keep their tint
  const html = await Deno.readTextFile(`${out}/report.html`);
  const svgs = [...html.matchAll(/data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)/g)].map((m) =>
    new TextDecoder().decode(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)))
  );
  const gallery = svgs.find((svg) => svg.includes("rank 1"));
  assert.ok(gallery !== undefined, `a neighbour gallery among ${svgs.length} figures`);
  const pngs = [...gallery.matchAll(/ href="data:image\/png;base64,([A-Za-z0-9+/=]+)"/g)].map((m) =>
    decodePng(Uint8Array.from(atob(m[1]), (c) => c.charCodeAt(0)))
  );
  assert.ok(pngs.length > 0 && pngs.every((p) => p.colourType === 2), "truecolour thumbnails");
  const tinted = pngs.filter((p) => {
    for (let i = 0; i < p.samples.length; i += 3) {
      const [r, g, b] = p.samples.subarray(i, i + 3);
      if (r > 80 && r > g + 20 && g > b + 10) return true;
    }
    return false;
  });
  assert.ok(tinted.length > 0, "some thumbnails keep the tint of their RGB files");
});

Deno.test("a non-image file, a corrupt image, an empty class or one class is refused by name", async () => {
  const bad = `${base}/bad`;
  const copy = async () => {
    await Deno.remove(bad, { recursive: true }).catch(() => {});
    for (const name of CLASSES) {
      await Deno.mkdir(`${bad}/${name}`, { recursive: true });
      for (const f of ["0.jpg", "1.png"]) {
        await Deno.copyFile(`${dir}/${name}/${f}`, `${bad}/${name}/${f}`);
      }
    }
  };
  await copy();
  await Deno.writeTextFile(`${bad}/Bag/notes.txt`, "not an image");
  assert.match(await fails(bad, `${base}/r1`), /Bag\/notes\.txt is not a JPEG or PNG file/);

  await copy();
  await Deno.writeFile(`${bad}/Trouser/2.jpg`, new TextEncoder().encode("<html>oops</html>"));
  assert.match(await fails(bad, `${base}/r2`), /Trouser\/2\.jpg/);

  await copy();
  await Deno.mkdir(`${bad}/Coat`);
  assert.match(await fails(bad, `${base}/r3`), /class "Coat" has no images/);

  await Deno.remove(bad, { recursive: true });
  await Deno.mkdir(`${bad}/Sneaker`, { recursive: true });
  await Deno.copyFile(`${dir}/Sneaker/0.jpg`, `${bad}/Sneaker/0.jpg`);
  assert.match(await fails(bad, `${base}/r4`), /at least 2 classes: .* has only class "Sneaker"/);
});

Deno.test("cleanup", async () => {
  await Deno.remove(base, { recursive: true });
});
