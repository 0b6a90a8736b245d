/**
 * Issue 12 items 14 and 15 in lib/data: "not found" (DataNotFoundError, after which falling
 * back to other data is right) is told apart from "found but unusable" (DataFileError, with a
 * reason), and every such error names its file: count mismatches, out-of-range labels, and
 * the operating system denying a read (which is not a missing --allow-read).
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import {
  DataFileError,
  DataNotFoundError,
  fashionMnist,
  parseIdx,
  readIdx,
} from "../../lib/data/mod.ts";
import { encodeIdx } from "./_idx.ts";

const root = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

/** Runs _read_probe.ts in a child with the given deno flags; returns its JSON line. */
async function probe(
  flags: string[],
  args: string[],
  options: { env?: Record<string, string>; asUser?: number } = {},
): Promise<Record<string, unknown>> {
  const deno = ["run", "--quiet", ...flags, `${root}tests/data/_read_probe.ts`, ...args];
  const command = options.asUser === undefined
    ? new Deno.Command(Deno.execPath(), {
      args: deno,
      env: options.env,
      stdout: "piped",
      stderr: "piped",
    })
    : new Deno.Command("setpriv", {
      args: [
        `--reuid=${options.asUser}`,
        `--regid=${options.asUser}`,
        "--clear-groups",
        Deno.execPath(),
        ...deno,
      ],
      env: options.env,
      clearEnv: true,
      stdout: "piped",
      stderr: "piped",
    });
  const out = await command.output();
  const text = decoder.decode(out.stdout).trim();
  assert.ok(text.startsWith("{"), `probe failed: ${decoder.decode(out.stderr)}`);
  return JSON.parse(text.split("\n").at(-1)!);
}

/** Whether this process can make a real OS "permission denied": as a non-root user with
 * chmod 000, or as root by running the child as `nobody` through setpriv. */
function osDenialMethod(): "chmod" | "setpriv" | undefined {
  if (Deno.build.os !== "linux") return undefined;
  if (Deno.uid() !== 0) return "chmod";
  try {
    new Deno.Command("setpriv", { args: ["--version"] }).outputSync();
    return "setpriv";
  } catch {
    return undefined;
  }
}

Deno.test("readIdx: a missing file is DataNotFoundError; a broken one DataFileError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(readIdx(`${dir}/none.gz`), (e: Error) => {
      assert.ok(e instanceof DataNotFoundError, String(e));
      assert.equal(e.file, `${dir}/none.gz`);
      assert.match(e.message, new RegExp(`${dir}/none.gz: file not found`));
      return true;
    });
    await Deno.writeFile(`${dir}/bad.gz`, Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3, 4]));
    await assert.rejects(readIdx(`${dir}/bad.gz`), (e: Error) => {
      assert.ok(e instanceof DataFileError, String(e));
      assert.ok(!(e instanceof DataNotFoundError));
      assert.equal(e.reason, "corrupt");
      assert.equal(e.file, `${dir}/bad.gz`);
      return true;
    });
    // A folder where the file is expected: named, and not "not found".
    await Deno.mkdir(`${dir}/folder.idx`);
    await assert.rejects(readIdx(`${dir}/folder.idx`), (e: Error) => {
      assert.ok(e instanceof DataFileError, String(e));
      assert.equal(e.reason, "io");
      assert.match(e.message, new RegExp(`${dir}/folder.idx: it is a directory, not a file`));
      return true;
    });
    // parseIdx's errors are DataFileErrors too, naming the source.
    assert.throws(() => parseIdx(new Uint8Array(3), { name: "x.idx" }), (e: Error) => {
      assert.ok(e instanceof DataFileError && e.file === "x.idx" && e.reason === "corrupt");
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "readIdx and fashionMnist: the OS denying a read is named as such, not --allow-read",
  ignore: osDenialMethod() === undefined,
  fn: async () => {
    const method = osDenialMethod();
    const dir = await Deno.makeTempDir();
    const denoDir = await Deno.makeTempDir();
    try {
      await Deno.chmod(dir, 0o755);
      await Deno.chmod(denoDir, 0o777);
      const images = `${dir}/t10k-images-idx3-ubyte.gz`;
      await Deno.writeFile(
        images,
        gzipSync(encodeIdx("uint8", [1, 28, 28], new Array(784).fill(0))),
      );
      await Deno.writeFile(
        `${dir}/t10k-labels-idx1-ubyte.gz`,
        gzipSync(encodeIdx("uint8", [1], [3])),
      );
      // Readable by its owner only (root, for setpriv) or by nobody (chmod 000).
      await Deno.chmod(images, method === "chmod" ? 0o000 : 0o600);
      const options = method === "setpriv"
        ? { asUser: 65534, env: { DENO_DIR: denoDir, HOME: denoDir, NO_COLOR: "1" } }
        : {};
      for (
        const [args, env] of [
          [["idx", images], {}],
          [["fashion"], { LIKENESS_DATA: dir }],
        ] as const
      ) {
        const r = await probe(["--allow-read", "--allow-env"], [...args], {
          ...options,
          env: { ...(options.env ?? {}), ...env },
        });
        assert.equal(r.ok, false);
        assert.equal(r.name, "DataFileError");
        assert.equal(r.reason, "permission");
        const message = String(r.message);
        assert.match(
          message,
          new RegExp(`^Cannot read IDX file ${images}: the operating system denied reading it`),
        );
        assert.doesNotMatch(message, /--allow-read/);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
      await Deno.remove(denoDir, { recursive: true });
    }
  },
});

Deno.test("readIdx: a missing --allow-read is named as such", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/labels.idx`;
    await Deno.writeFile(file, encodeIdx("uint8", [1], [3]));
    // The child may read the repository (its code) but not the temp folder.
    const r = await probe([`--allow-read=${root}`], ["idx", file]);
    assert.equal(r.ok, false);
    assert.equal(r.name, "DataFileError");
    assert.equal(r.reason, "permission");
    assert.match(
      String(r.message),
      new RegExp(`${file}: Deno's read permission is missing \\(run with --allow-read\\)`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** A folder with Fashion-MNIST test files of the given labels (one blank image each). */
async function testSet(imageCount: number, labels: number[]): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeFile(
    `${dir}/t10k-images-idx3-ubyte.gz`,
    gzipSync(encodeIdx("uint8", [imageCount, 28, 28], new Array(imageCount * 784).fill(0))),
  );
  await Deno.writeFile(
    `${dir}/t10k-labels-idx1-ubyte.gz`,
    gzipSync(encodeIdx("uint8", [labels.length], labels)),
  );
  return dir;
}

Deno.test("fashionMnist: image and label counts that differ name both files", async () => {
  const dir = await testSet(10, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
  try {
    await assert.rejects(fashionMnist({ split: "test", dir }), (e: Error) => {
      assert.ok(e instanceof DataFileError, String(e));
      assert.equal(e.reason, "corrupt");
      assert.equal(
        e.message,
        `Cannot load Fashion-MNIST test: ${dir}/t10k-images-idx3-ubyte.gz holds 10 images but ${dir}/t10k-labels-idx1-ubyte.gz holds 9 labels`,
      );
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fashionMnist: a label outside 0–9 names the labels file, the index and the value", async () => {
  const dir = await testSet(10, [0, 1, 2, 3, 4, 5, 6, 7, 8, 200]);
  try {
    await assert.rejects(fashionMnist({ split: "test", dir }), (e: Error) => {
      assert.ok(e instanceof DataFileError, String(e));
      assert.equal(e.file, `${dir}/t10k-labels-idx1-ubyte.gz`);
      assert.equal(
        e.message,
        `Cannot load Fashion-MNIST test: ${dir}/t10k-labels-idx1-ubyte.gz has labels[9] = 200, labels must be in [0, 10)`,
      );
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fashionMnist: not found is DataNotFoundError; found but corrupt is DataFileError", async () => {
  const empty = await Deno.makeTempDir();
  const corrupt = await testSet(2, [0, 1]);
  try {
    await assert.rejects(fashionMnist({ split: "test", dir: empty }), (e: Error) => {
      assert.ok(e instanceof DataNotFoundError, String(e));
      assert.match(e.message, /it must hold t10k-images-idx3-ubyte\(\.gz\)/);
      return true;
    });
    const images = `${corrupt}/t10k-images-idx3-ubyte.gz`;
    const bytes = await Deno.readFile(images);
    await Deno.writeFile(images, bytes.subarray(0, bytes.length - 12)); // truncated
    await assert.rejects(fashionMnist({ split: "test", dir: corrupt }), (e: Error) => {
      assert.ok(e instanceof DataFileError, String(e));
      assert.equal(e.file, images);
      assert.match(e.message, new RegExp(`^Cannot read IDX file ${images}: gzip data is corrupt`));
      return true;
    });
  } finally {
    await Deno.remove(empty, { recursive: true });
    await Deno.remove(corrupt, { recursive: true });
  }
});

Deno.test("fashionMnist: LIKENESS_DATA naming a file (not a folder) is an error, not a silent search", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/train-images-idx3-ubyte.gz`;
    await Deno.writeFile(file, gzipSync(encodeIdx("uint8", [1], [0])));
    const r = await probe(["--allow-read", "--allow-env"], ["fashion"], {
      env: { LIKENESS_DATA: file },
    });
    assert.equal(r.ok, false);
    assert.equal(r.name, "DataFileError");
    assert.match(
      String(r.message),
      new RegExp(`LIKENESS_DATA must be a folder .*: current value ${file} is a file`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fashionMnist: half a copy (images without labels) is named in the not-found error", async () => {
  const dir = await testSet(1, [0]);
  try {
    await Deno.remove(`${dir}/t10k-labels-idx1-ubyte.gz`);
    await assert.rejects(fashionMnist({ split: "test", dir }), (e: Error) => {
      assert.ok(e instanceof DataNotFoundError, String(e));
      assert.ok(
        e.message.includes(
          `${dir} holds ${dir}/t10k-images-idx3-ubyte.gz but no t10k-labels-idx1-ubyte(.gz)`,
        ),
        e.message,
      );
      return true;
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
