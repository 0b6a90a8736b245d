import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { readIdx } from "../../lib/data/mod.ts";
import { encodeIdx } from "./_idx.ts";

Deno.test("readIdx: reads plain and gzipped files alike, whatever their names", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const raw = encodeIdx("uint8", [3], [7, 8, 9]);
    await Deno.writeFile(`${dir}/plain`, raw);
    await Deno.writeFile(`${dir}/zipped.idx`, gzipSync(raw));
    for (const name of ["plain", "zipped.idx"]) {
      const idx = await readIdx(`${dir}/${name}`);
      assert.deepEqual([...idx.data], [7, 8, 9]);
      assert.deepEqual(idx.shape, [3]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readIdx: missing, corrupt and truncated files give errors naming the file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const raw = encodeIdx("uint8", [100], Array.from({ length: 100 }, (_, i) => i));
    const gz = gzipSync(raw);
    await Deno.writeFile(`${dir}/cut.gz`, gz.subarray(0, gz.length - 10));
    const flipped = Uint8Array.from(gz);
    flipped[20] ^= 0xff;
    await Deno.writeFile(`${dir}/flipped.gz`, flipped);
    await Deno.writeFile(`${dir}/short`, raw.subarray(0, 50));
    await assert.rejects(readIdx(`${dir}/none.gz`), new RegExp(`${dir}/none.gz: file not found`));
    await assert.rejects(
      readIdx(`${dir}/cut.gz`),
      new RegExp(`${dir}/cut.gz: gzip data is corrupt or truncated`),
    );
    await assert.rejects(
      readIdx(`${dir}/flipped.gz`),
      // A flipped bit either breaks the deflate stream or makes it inflate to other data.
      new RegExp(`${dir}/flipped.gz: gzip data (is corrupt|decompresses to more than)`),
    );
    await assert.rejects(readIdx(`${dir}/short`), new RegExp(`${dir}/short: file is truncated`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
