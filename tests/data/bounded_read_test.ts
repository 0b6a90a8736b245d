/**
 * Issue 12 item 13: reading IDX data is bounded. The header is checked on the first bytes and
 * decompression stops at the size it declares, so a gzip bomb costs the declared size, not
 * what it would inflate to.
 */
import assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { DataFileError, fashionMnist, readIdx } from "../../lib/data/mod.ts";
import { encodeIdx } from "./_idx.ts";
import { writeGzipBomb } from "./_bomb.ts";

const root = new URL("../../", import.meta.url).pathname;

/** An IDX header alone (no data): `dtype` uint8, the given dimensions. */
function idxHeaderBytes(shape: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * shape.length);
  out[2] = 0x08;
  out[3] = shape.length;
  const view = new DataView(out.buffer);
  shape.forEach((n, i) => view.setUint32(4 + 4 * i, n));
  return out;
}

async function probe(
  args: string[],
  env: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-all", // reading /proc/self/status needs it
      `${root}tests/data/_read_probe.ts`,
      ...args,
    ],
    env,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.ok(text.startsWith("{"), `probe failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text.split("\n").at(-1)!);
}

const isLinux = Deno.build.os === "linux";

Deno.test("gzip bomb helper: a valid gzip of the prefix and the zeros", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const prefix = idxHeaderBytes([3, 2, 2]);
    const size = await writeGzipBomb(`${dir}/b.gz`, prefix, 3);
    const raw = gunzipSync(await Deno.readFile(`${dir}/b.gz`));
    assert.equal(raw.length, prefix.length + 3 * 2 ** 20);
    assert.deepEqual(new Uint8Array(raw.subarray(0, prefix.length)), prefix);
    assert.ok(raw.subarray(prefix.length).every((b) => b === 0));
    assert.ok(size < 4000, `3 MiB of zeros in ${size} bytes`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "readIdx: a 2 MB gzip bomb (2 GiB of zeros) stops at its declared size, memory bounded",
  ignore: !isLinux, // peak memory from /proc/self/status
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = `${dir}/bomb-images-idx3-ubyte.gz`;
      const compressed = await writeGzipBomb(path, idxHeaderBytes([10, 28, 28]), 2048);
      assert.ok(compressed < 2.5e6, `bomb of ${compressed} bytes`);
      const r = await probe(["idx", path]);
      assert.equal(r.ok, false);
      assert.equal(r.name, "DataFileError");
      assert.equal(r.reason, "corrupt");
      assert.match(
        String(r.message),
        new RegExp(
          `^Cannot read IDX file ${path}: gzip data decompresses to more than the 7856 bytes that dimensions \\[10,28,28\\] of uint8 need`,
        ),
      );
      const growthMiB = (Number(r.hwmAfterKiB) - Number(r.hwmBeforeKiB)) / 1024;
      // The bomb inflates to 2,048 MiB; reading it may cost the declared size and one chunk.
      assert.ok(growthMiB < 128, `peak memory grew by ${growthMiB.toFixed(0)} MiB`);
      assert.ok(Number(r.seconds) < 5, `${r.seconds} s`);
      console.log(`bomb: peak memory +${growthMiB.toFixed(1)} MiB, ${r.seconds} s`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "fashionMnist: a gzip bomb in LIKENESS_DATA is refused, naming the file, memory bounded",
  ignore: !isLinux,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      // A plausible header (the test split's 10,000 images), then far more data than it says.
      const images = `${dir}/t10k-images-idx3-ubyte.gz`;
      await writeGzipBomb(images, idxHeaderBytes([10000, 28, 28]), 1024);
      await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte.gz`, gzipSync(idxHeaderBytes([10000])));
      const r = await probe(["fashion"], { LIKENESS_DATA: dir });
      assert.equal(r.ok, false);
      assert.equal(r.reason, "corrupt");
      assert.match(String(r.message), new RegExp(`${images}: gzip data decompresses to more than`));
      const growthMiB = (Number(r.hwmAfterKiB) - Number(r.hwmBeforeKiB)) / 1024;
      assert.ok(growthMiB < 128, `peak memory grew by ${growthMiB.toFixed(0)} MiB`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("readIdx: a header declaring more than maxBytes is refused before inflating", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // 2^31 images of 28 × 28: 1.7 TB declared; the default limit is 1 GiB.
    const path = `${dir}/huge.gz`;
    await writeGzipBomb(path, idxHeaderBytes([2 ** 31, 28, 28]), 64);
    const t0 = performance.now();
    await assert.rejects(readIdx(path), (e: DataFileError) => {
      assert.ok(e instanceof DataFileError);
      assert.equal(e.reason, "corrupt");
      assert.equal(e.file, path);
      assert.match(
        e.message,
        /huge\.gz: the header declares dimensions \[2147483648,28,28\] of uint8, 1683627180048 bytes, more than the 1073741824 bytes allowed \(maxBytes\)/,
      );
      return true;
    });
    assert.ok(performance.now() - t0 < 1000, "refused on the header, not after inflating");
    // A caller's own limit, and its expected dimensions, are checked the same way.
    await assert.rejects(readIdx(path, { maxBytes: 1e6 }), /more than the 1000000 bytes/);
    await assert.rejects(
      readIdx(path, { shape: [null, 32, 32] }),
      /huge\.gz: dimensions are \[2147483648,28,28\], expected \[any,32,32\]/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readIdx: the expected dtype and shape are checked on the header", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeFile(`${dir}/ints.gz`, gzipSync(encodeIdx("int32", [2], [1, 2])));
    await Deno.writeFile(`${dir}/labels`, encodeIdx("uint8", [3], [1, 2, 3]));
    await assert.rejects(
      readIdx(`${dir}/ints.gz`, { dtype: "uint8" }),
      new RegExp(`${dir}/ints.gz: data type is int32, expected uint8`),
    );
    await assert.rejects(
      readIdx(`${dir}/labels`, { shape: [4] }),
      new RegExp(`${dir}/labels: dimensions are \\[3\\], expected \\[4\\]`),
    );
    assert.deepEqual([...(await readIdx(`${dir}/labels`, { shape: [3], dtype: "uint8" })).data], [
      1,
      2,
      3,
    ]);
    // Bad options are named with their value.
    await assert.rejects(
      readIdx(`${dir}/labels`, { shape: [0] }),
      /options\.shape must be .*: current value is \[0\]/,
    );
    await assert.rejects(
      readIdx(`${dir}/labels`, { maxBytes: -1 }),
      /options\.maxBytes must be a positive number: current value is -1/,
    );
    await assert.rejects(
      readIdx(`${dir}/labels`, { dtype: "uint9" as "uint8" }),
      /options\.dtype must be one of .*: current value is "uint9"/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readIdx: short files and trailing data are errors naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const raw = encodeIdx("uint8", [100], Array.from({ length: 100 }, (_, i) => i));
    const cases: [string, Uint8Array, RegExp][] = [
      ["empty", new Uint8Array(0), /file is truncated: 0 bytes, less than the 4-byte magic/],
      ["short-header.gz", gzipSync(raw.subarray(0, 6)), /less than the 8-byte header/],
      [
        "short-data.gz",
        gzipSync(raw.subarray(0, 60)),
        /file is truncated: dimensions \[100\] of uint8 need 108 bytes, current length is 60/,
      ],
      [
        "long-data.gz",
        gzipSync(Uint8Array.from([...raw, 1, 2])),
        /gzip data decompresses to more than the 108 bytes that dimensions \[100\] of uint8 need/,
      ],
      [
        "garbage-after.gz",
        Uint8Array.from([...gzipSync(raw), 0x42, 0x42, 0x42]),
        /bytes follow the end of the gzip stream/,
      ],
      [
        "long-plain",
        Uint8Array.from([...raw, 7]),
        /file has trailing bytes: it continues past the 108 bytes that dimensions \[100\] of uint8 need/,
      ],
    ];
    for (const [name, bytes, pattern] of cases) {
      await Deno.writeFile(`${dir}/${name}`, bytes);
      await assert.rejects(readIdx(`${dir}/${name}`), (e: Error) => {
        assert.ok(e instanceof DataFileError, `${name}: ${e}`);
        assert.equal(e.reason, "corrupt");
        assert.ok(e.message.startsWith(`Cannot read IDX file ${dir}/${name}: `), e.message);
        assert.match(e.message, pattern);
        return true;
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("fashionMnist: image files of other dimensions or too many images are refused", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const images = `${dir}/t10k-images-idx3-ubyte`;
    await Deno.writeFile(`${dir}/t10k-labels-idx1-ubyte`, encodeIdx("uint8", [2], [0, 1]));
    await Deno.writeFile(images, encodeIdx("uint8", [2, 32, 32], new Array(2048).fill(0)));
    await assert.rejects(
      fashionMnist({ split: "test", dir }),
      new RegExp(`${images}: dimensions are \\[2,32,32\\], expected \\[any,28,28\\]`),
    );
    // More images than the test split has: refused on the header.
    await Deno.writeFile(images, idxHeaderBytes([10001, 28, 28]));
    await assert.rejects(
      fashionMnist({ split: "test", dir }),
      new RegExp(`${images}: the header declares dimensions \\[10001,28,28\\] of uint8`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
