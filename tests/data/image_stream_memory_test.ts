// Memory stays bounded when a folder is bigger than the cache: a child process streams 600
// images (decoded 96×96 RGB float32: 108 KiB each, 63 MiB in all; 5,760 decodes) through a
// 4 MiB cache. The cache's byte count never exceeds 4 MiB and live memory (V8 heap +
// ArrayBuffers, after forced GCs) grows by less than 8 MiB; the same run with an unbounded
// cache grows by more than 32 MiB, so the measure can fail. The resident set is reported and
// checked only loosely (< 256 MiB): Deno's allocator keeps freed ArrayBuffer pages (a bare
// loop allocating 108 KiB Float32Arrays, all garbage, grows RSS by ~150 MiB before it
// plateaus), so at this scale RSS does not tell a bounded cache from an unbounded one.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { encode, rgba } from "./_images.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const MiB = 2 ** 20;

async function child(dir: string, cacheBytes: number) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--v8-flags=--expose-gc",
      "tests/data/_stream_rss_child.ts",
      dir,
      String(cacheBytes),
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout).trim().split("\n").at(-1)!;
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(out) as {
    live: number;
    rssFirst: number;
    rssSecond: number;
    maxCache: number;
    limit: number;
    peak: number;
    tensors: number;
  };
}

Deno.test("streaming a folder 15× bigger than the cache keeps the cache and live memory bounded (RSS loosely)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (let c = 0; c < 6; c++) {
      await Deno.mkdir(`${dir}/c${c}`);
      for (let i = 0; i < 100; i++) {
        const img = rgba(12, 12, (x, y) => [c * 40, i * 2, (x * y * 7 + i) & 255, 255]);
        await Deno.writeFile(`${dir}/c${c}/${i}.png`, await encode("png", 12, 12, img));
      }
    }
    const limit = 4 * MiB;
    const r = await child(dir, limit);
    const mib = (n: number) => (n / MiB).toFixed(1);
    console.log(
      `bounded: live +${mib(r.live)} MiB, RSS +${mib(r.rssFirst)} then +${
        mib(r.rssSecond)
      } MiB, cache peak ${mib(r.peak)} MiB`,
    );
    assert.equal(r.limit, limit);
    assert.ok(r.peak <= limit && r.maxCache <= limit, `cache held ${r.peak} bytes`);
    assert.ok(r.peak > limit * 0.9, "the cache was filled, so eviction was exercised");
    assert.ok(r.live < 8 * MiB, `live memory grew by ${mib(r.live)} MiB`);
    const rss = r.rssFirst + r.rssSecond;
    assert.ok(rss < 256 * MiB, `RSS grew by ${mib(rss)} MiB`);
    assert.equal(r.tensors, 0);
    const unbounded = await child(dir, 2 ** 40);
    console.log(`unbounded cache: live +${mib(unbounded.live)} MiB`);
    assert.ok(unbounded.live > 32 * MiB, `control: live grew by ${mib(unbounded.live)} MiB`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
