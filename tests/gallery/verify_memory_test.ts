// gallery.verify() and the other hot calls must not prepare a SQL statement per call: each
// prepared statement held memory until exit (RSS 103 → 1,420 MiB over 60 s of verify).
import assert from "node:assert/strict";

/**
 * RSS growth allowed over the child's 100,000 verify calls (with an identify, has and count
 * every 20th) after warm-up. Measured before the fix: 199 MiB (≈ 2 KB per call) and 115,100
 * statements prepared; after it: 6 MiB, and 26 MiB after 300,000 calls (allocator slack
 * that stops growing: 22 MiB after 1,500,000 count calls). 64 MiB is a third of the leak
 * and ten times the measurement after.
 */
const RSS_BOUND_MIB = 64;

Deno.test("100,000 verify calls prepare no statement and keep memory bounded", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "likeness-verify-memory-" });
  try {
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        new URL("./_verify_memory_child.ts", import.meta.url).pathname,
        `${dir}/g.db`,
        "100000",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, err);
    const lines = new TextDecoder().decode(stdout).trim().split("\n");
    const measured = JSON.parse(lines[lines.length - 1]) as {
      prepared: number;
      rssGrowthMiB: number;
      verifyPerSecond: number;
      accepted: number;
    };
    assert.equal(measured.accepted > 0, true);
    assert.ok(
      measured.rssGrowthMiB < RSS_BOUND_MIB,
      `RSS grew by ${
        measured.rssGrowthMiB.toFixed(1)
      } MiB over 100,000 verify calls (bound ${RSS_BOUND_MIB} MiB; ${measured.prepared} statements prepared; ${measured.verifyPerSecond} calls/s)`,
    );
    assert.equal(
      measured.prepared,
      0,
      `statements prepared during the calls: ${measured.prepared}`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
