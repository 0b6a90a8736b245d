/**
 * Issue 12 item 13, download side: what a mirror sends is bounded too. A download larger than
 * the file can be is stopped while receiving; a small gzip bomb is inflated (to check the
 * SHA-256 of a recompressed copy) only up to the file's known size. Nothing is saved.
 */
import assert from "node:assert/strict";
import { writeGzipBomb } from "./_bomb.ts";

const root = new URL("../../", import.meta.url).pathname;

/** Runs _probe.ts (fashionMnist in a child that can read only `cache`, not Debian's copy). */
async function probe(options: Record<string, unknown>, cache: string, net: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      `--allow-read=${cache}`,
      `--allow-write=${cache}`,
      "--allow-env",
      `--allow-net=${net}`,
      `${root}tests/data/_probe.ts`,
      JSON.stringify(options),
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  assert.ok(text.startsWith("{"), `probe failed: ${new TextDecoder().decode(out.stderr)}`);
  return JSON.parse(text.split("\n").at(-1)!);
}

Deno.test("fashionMnist download: an oversized file or a gzip bomb from a mirror is refused, nothing saved", async () => {
  const mirror = await Deno.makeTempDir();
  const cache = await Deno.makeTempDir();
  const images = "t10k-images-idx3-ubyte.gz";
  // The test images are 7,840,016 bytes decompressed, so a download may be at most 1 MiB more.
  await Deno.writeFile(`${mirror}/oversized`, new Uint8Array(7_840_016 + 2 ** 20 + 1));
  // A 2.1 MB gzip bomb whose header declares exactly the test images' dimensions.
  const header = Uint8Array.from([0, 0, 8, 3, 0, 0, 0x27, 0x10, 0, 0, 0, 28, 0, 0, 0, 28]);
  await writeGzipBomb(`${mirror}/bomb`, header, 2048);
  let serving = "oversized";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    if (new URL(req.url).pathname !== `/${images}`) return new Response("no", { status: 404 });
    return new Response((await Deno.open(`${mirror}/${serving}`)).readable);
  });
  const net = `127.0.0.1:${server.addr.port}`;
  const options = { split: "test", cacheDir: cache, baseUrl: `http://${net}/` };
  try {
    const big = await probe(options, cache, net);
    assert.equal(big.ok, false);
    assert.match(
      String(big.message),
      new RegExp(
        `Cannot download Fashion-MNIST file ${images}: .*more than the 8888592 bytes it can be`,
      ),
    );
    serving = "bomb";
    const bomb = await probe(options, cache, net);
    assert.equal(bomb.ok, false);
    assert.match(
      String(bomb.message),
      new RegExp(
        `Cannot verify Fashion-MNIST download http://${net}/${images}: .*gzip data decompresses to more than the 7840016 bytes`,
      ),
    );
    assert.deepEqual([...Deno.readDirSync(cache)], [], "nothing saved");
  } finally {
    await server.shutdown();
    await Deno.remove(mirror, { recursive: true });
    await Deno.remove(cache, { recursive: true });
  }
});
