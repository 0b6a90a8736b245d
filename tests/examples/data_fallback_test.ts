/**
 * Issue 12 item 14: an example falls back to the bundled sample only when Fashion-MNIST is
 * not found; a copy that is found but corrupt stops it with an error naming the file and a
 * non-zero exit, before any training.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { encodeIdx } from "../data/_idx.ts";

const root = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/** Runs examples/triplet.ts for one step (not --quick: it must look for Fashion-MNIST). */
async function runTriplet(data: string, out: string, readable: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--allow-read=${readable}`,
      "--allow-env",
      `--allow-write=${out}`,
      `${root}examples/triplet.ts`,
      "--steps",
      "1",
      "--batch",
      "10",
      "--backend",
      "wasm",
      "--out",
      out,
    ],
    cwd: root,
    env: { LIKENESS_DATA: data, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

Deno.test("examples: a corrupt Fashion-MNIST in LIKENESS_DATA (or LIKENESS_DATA naming a file) is an error naming the file, exit ≠ 0", async () => {
  const data = await Deno.makeTempDir();
  const out = await Deno.makeTempDir();
  try {
    // Labels fine; images truncated in the middle of the gzip stream.
    const images = `${data}/train-images-idx3-ubyte.gz`;
    const full = gzipSync(encodeIdx("uint8", [20, 28, 28], new Array(20 * 784).fill(7)));
    await Deno.writeFile(images, full.subarray(0, full.length - 20));
    await Deno.writeFile(
      `${data}/train-labels-idx1-ubyte.gz`,
      gzipSync(encodeIdx("uint8", [20], new Array(20).fill(1))),
    );
    const r = await runTriplet(data, out, `${root},${data},${out}`);
    assert.equal(r.code, 1, `exit ${r.code}:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^Cannot read IDX file ${images}: gzip data`, "m"));
    assert.doesNotMatch(r.stderr, /^\s+at /m, "a message for the user, not a stack trace");
    assert.doesNotMatch(r.stderr, /Falling back/);
    assert.doesNotMatch(r.stdout, /P@1/); // nothing trained or evaluated
    assert.equal(await exists(`${out}/model`), false);
    assert.equal(await exists(`${out}/metrics.json`), false);
    // LIKENESS_DATA naming the file itself rather than its folder: an error too.
    const direct = await runTriplet(images, out, `${root},${data},${out}`);
    assert.notEqual(direct.code, 0, `exit 0:\n${direct.stdout}\n${direct.stderr}`);
    assert.match(
      direct.stderr,
      new RegExp(`LIKENESS_DATA must be a folder .*: current value ${images} is a file`),
    );
    assert.doesNotMatch(direct.stderr, /Falling back/);
  } finally {
    await Deno.remove(data, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("examples: with no Fashion-MNIST anywhere, falls back to the bundled sample, exit 0", async () => {
  const data = await Deno.makeTempDir(); // empty
  const out = await Deno.makeTempDir();
  try {
    // Readable: the repository and the temp folders only, so not Debian's copy; no network.
    const r = await runTriplet(data, out, `${root},${data},${out}`);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /Cannot find Fashion-MNIST train/);
    assert.match(r.stderr, /Falling back to the bundled sample/);
    const m = JSON.parse(await Deno.readTextFile(`${out}/metrics.json`));
    assert.match(m.data.train, /^bundled sample, 600 of 1000/);
    assert.equal(m.steps, 1);
  } finally {
    await Deno.remove(data, { recursive: true });
    await Deno.remove(out, { recursive: true });
  }
});
