/**
 * End to end: `examples/open_world.ts --quick` runs as a subprocess with the permissions its
 * header states, trains all eight configurations 2 steps for 2 seeds on the bundled sample,
 * and leaves runs.json, the table, the figure and the JSON; `--resume` with every run
 * recorded trains nothing and redraws the same table.
 */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();

function openWorld(args: string[], write?: string) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      ...(write === undefined ? [] : [`--allow-write=${write}`]),
      "--allow-ffi",
      `${root}examples/open_world.ts`,
      ...args,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
}

const CONFIGS = [
  "softmax classifier (baseline)",
  "triplet, random (m 1)",
  "triplet, batch-hard (m 0.2)",
  "multi-similarity + miner",
  "ArcFace",
  "ProxyAnchor (proxies lr ×100)",
  "SupCon (τ 0.1)",
  "contrastive (pml: 0, 1)",
];

Deno.test("examples/open_world.ts --quick runs every configuration over 2 seeds", async () => {
  const out = await Deno.makeTempDir({ prefix: "likeness-open-world-" });
  try {
    const args = ["--quick", "--steps", "2", "--batch", "10", "--seeds", "2", "--out", out];
    const output = await openWorld(args, out);
    const stdout = decoder.decode(output.stdout), stderr = decoder.decode(output.stderr);
    assert.equal(output.code, 0, `open_world failed:\n${stdout}\n${stderr}`);
    // progress: one line per configuration × seed, seeds outer
    const progress = stderr.split("\n").filter((l) => /^\[\d+\/16\]/.test(l));
    assert.equal(progress.length, 16, stderr);
    assert.match(progress[0], /^\[1\/16\] softmax classifier \(baseline\), seed 1: rank-1 /);
    assert.match(progress[8], /^\[9\/16\] softmax classifier \(baseline\), seed 2: /);

    const runs = JSON.parse(await Deno.readTextFile(`${out}/runs.json`));
    assert.equal(runs.length, 16);
    const r = JSON.parse(await Deno.readTextFile(`${out}/open_world.json`));
    assert.deepEqual(r.seeds, [1, 2]);
    assert.equal(r.steps, 2);
    assert.equal(r.k, 6, "P×K batches of 5 × ⌈3·10 / 5⌉ images");
    assert.deepEqual(r.summaries.map((s: { config: string }) => s.config), CONFIGS);
    for (const run of r.runs) {
      assert.equal(run.info.steps, 2, run.config);
      for (const [k, v] of Object.entries(run.metrics)) {
        assert.ok(typeof v === "number" && v >= 0 && v <= 1, `${run.config} ${k} = ${v}`);
      }
    }
    for (const s of r.summaries) {
      for (const k of ["rank1", "tar@0.01", "auc", "impostorAccepted@0.01"]) {
        const m = s.metrics[k];
        assert.equal(m.values.length, 2, `${s.config} ${k}`);
        assert.ok(m.low <= m.mean && m.mean <= m.high, `${s.config} ${k}`);
      }
    }
    const md = await Deno.readTextFile(`${out}/open_world.md`);
    assert.match(
      md,
      /^2 steps × 30 images \(10 triplets, or P×K 5×6\), Adam 0\.001, seeds 1, 2, 5 shots/,
    );
    for (const c of CONFIGS) assert.ok(md.includes(`| ${c} | `), `the table lacks ${c}`);
    assert.ok(stdout.includes(md.split("\n\n")[1].trim()), "stdout shows the table");
    const svg = await Deno.readTextFile(`${out}/open_world.svg`);
    assert.equal(svg.match(/aria-roledescription="rule mark"/g)?.length, 8 * 5, "8 × 5 whiskers");
    await Deno.stat(`${out}/open_world.png`);

    // --resume with every run recorded: nothing trains, the same table is written.
    const again = await openWorld([...args, "--resume"], out);
    assert.equal(again.code, 0, decoder.decode(again.stderr));
    assert.ok(!/^\[\d+\/16\]/m.test(decoder.decode(again.stderr)), "nothing retrained");
    const md2 = await Deno.readTextFile(`${out}/open_world.md`);
    assert.equal(md2.split("\n\n")[1], md.split("\n\n")[1]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("examples/open_world.ts answers --help and names a bad --seeds", async () => {
  const help = await openWorld(["--help"]);
  const text = decoder.decode(help.stdout);
  assert.equal(help.code, 0);
  for (const option of ["--seeds", "--shots", "--configs", "--steps", "--quick", "--resume"]) {
    assert.ok(text.includes(option), `--help lacks ${option}`);
  }
  assert.ok(text.includes("--allow-read --allow-write=runs --allow-ffi examples/open_world.ts"));
  const bad = await openWorld(["--quick", "--seeds", "1"]);
  assert.notEqual(bad.code, 0);
  assert.match(decoder.decode(bad.stderr), /--seeds must be an integer ≥ 2: current value is 1/);
});
