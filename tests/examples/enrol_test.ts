/**
 * End to end: `examples/enrol.ts --quick` runs as a subprocess with the permissions its header
 * states, trains both models a few steps on the bundled sample, enrols the unseen classes and
 * leaves a metrics.json with the open-world fields, both saved models, and a SQLite gallery
 * bound to each saved model's weights.
 */
import * as tf from "@tensorflow/tfjs";
import assert from "node:assert/strict";
import { fingerprintWeights, openGallery, sqliteStore } from "../../lib/gallery/mod.ts";
import { loadModel } from "../../lib/train/mod.ts";

await tf.setBackend("cpu");

const root = new URL("../../", import.meta.url).pathname;
const decoder = new TextDecoder();
const isUnit = (x: unknown) => typeof x === "number" && x >= 0 && x <= 1;

function enrol(args: string[], write?: string) {
  return new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-read",
      ...(write === undefined ? [] : [`--allow-write=${write}`]),
      "--allow-ffi",
      `${root}examples/enrol.ts`,
      ...args,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
}

function checkModelBlock(block: Record<string, unknown>, probes: number) {
  const b = block as {
    steps: number;
    fingerprint: string;
    identification: { rank1: number; rank2: number; cmc: number[] };
    verification: {
      auc: number;
      eer: number;
      tarAtFar: Record<string, number>;
      seenCalibrated: Record<string, Record<string, number | null>>;
    };
    claims: { genuine: number; impostor: number };
  };
  assert.equal(b.steps, 3);
  assert.match(b.fingerprint, /^[0-9a-f]{64}$/);
  const { rank1, rank2, cmc } = b.identification;
  assert.ok(isUnit(rank1) && isUnit(rank2) && rank2 >= rank1, JSON.stringify(b.identification));
  assert.equal(cmc.length, 5);
  assert.equal(cmc[0], rank1);
  assert.equal(cmc[1], rank2);
  assert.equal(cmc[4], 1, "rank-5 of 5 enrolled identities is always a hit");
  for (let i = 1; i < 5; i++) assert.ok(cmc[i] >= cmc[i - 1]);
  // Every probe claims each of the 5 enrolled identities once.
  assert.deepEqual(b.claims, { genuine: probes, impostor: 4 * probes });
  assert.ok(isUnit(b.verification.auc) && isUnit(b.verification.eer));
  for (const far of ["0.01", "0.001"]) {
    assert.ok(isUnit(b.verification.tarAtFar[far]), far);
    const c = b.verification.seenCalibrated[far];
    // -Infinity (accept nothing) is written as null by JSON.
    assert.ok(c.threshold === null || Number.isFinite(c.threshold), JSON.stringify(c));
    assert.ok((c.seenFar as number) <= Number(far), "calibrated FAR never above the target");
    for (const key of ["seenTar", "genuineAcceptRate", "impostorAcceptRate"]) {
      assert.ok(isUnit(c[key]), `${far} ${key}`);
    }
  }
  const [loose, strict] = [
    b.verification.seenCalibrated["0.01"],
    b.verification.seenCalibrated["0.001"],
  ];
  assert.ok((strict.genuineAcceptRate as number) <= (loose.genuineAcceptRate as number));
  assert.ok((strict.impostorAcceptRate as number) <= (loose.impostorAcceptRate as number));
}

Deno.test("examples/enrol.ts --quick enrols unseen classes into a gallery and reports", async () => {
  const out = await Deno.makeTempDir({ prefix: "likeness-enrol-" });
  try {
    const output = await enrol(["--quick", "--steps", "3", "--batch", "10", "--out", out], out);
    const stdout = decoder.decode(output.stdout);
    assert.equal(output.code, 0, `enrol failed:\n${stdout}\n${decoder.decode(output.stderr)}`);
    assert.ok(stdout.includes("| triplet (L2, 32-d) |"), stdout);
    assert.ok(stdout.includes("| classifier penultimate (32-d) |"), stdout);

    for (
      const file of [
        "model/model.json",
        "model/weights.bin",
        "model/metadata.json",
        "classifier/model/model.json",
        "classifier/model/head/model.json",
        "gallery.db",
        "classifier/gallery.db",
      ]
    ) {
      await Deno.stat(`${out}/${file}`); // throws if missing
    }

    const m = JSON.parse(await Deno.readTextFile(`${out}/metrics.json`));
    assert.equal(m.example, "enrol");
    assert.ok(["native", "wasm"].includes(m.backend), m.backend);
    assert.equal(m.shots, 5);
    assert.equal(m.seenClasses.length, 5);
    assert.equal(m.unseenClasses.length, 5);
    assert.equal(new Set([...m.seenClasses, ...m.unseenClasses]).size, 10, "class-disjoint");
    // The bundled sample has 100 images per class: 5 enrolled, 95 probes per unseen class.
    const probes = 5 * 95;
    assert.match(m.protocol.calibration, /SEEN classes/);
    checkModelBlock(m.triplet, probes);
    checkModelBlock(m.classifier, probes);

    // The gallery opens with the fingerprint of the SAVED model's weights, holds the unseen
    // classes with 5 samples each, and refuses any other model.
    const model = await loadModel(`${out}/model`);
    const fingerprint = fingerprintWeights(
      model.embedder.getWeights().map((w) => w.dataSync() as Float32Array),
    );
    model.dispose();
    assert.equal(fingerprint, m.triplet.fingerprint);
    assert.throws(
      () => sqliteStore(`${out}/gallery.db`, { dim: 32, fingerprint: m.classifier.fingerprint }),
      /fingerprint/,
    );
    const gallery = openGallery(sqliteStore(`${out}/gallery.db`, { dim: 32, fingerprint }));
    try {
      assert.deepEqual(gallery.identities(), m.unseenClasses);
      assert.equal(gallery.count(), 25);
      for (const identity of m.unseenClasses) {
        const rows = gallery.store.embeddings(identity);
        assert.equal(rows.length, 5 * 32);
        const first = rows.subarray(0, 32);
        assert.ok(Math.abs(Math.hypot(...first) - 1) < 1e-4, "L2-normalised embeddings");
        const [best] = gallery.identify(first, 1);
        assert.equal(best.identity, identity);
        assert.ok(best.distance < 1e-4);
      }
    } finally {
      gallery.close();
    }
    // The classifier's gallery is bound to the classifier's weights, with its 25 enrolled images.
    const c = openGallery(
      sqliteStore(`${out}/classifier/gallery.db`, {
        dim: 32,
        fingerprint: m.classifier.fingerprint,
      }),
    );
    try {
      assert.deepEqual(c.identities(), m.unseenClasses);
      assert.equal(c.count(), 25);
    } finally {
      c.close();
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("examples/enrol.ts answers --help with --shots and its permissions", async () => {
  const output = await enrol(["--help"]);
  const text = decoder.decode(output.stdout);
  assert.equal(output.code, 0, decoder.decode(output.stderr));
  for (const option of ["--shots", "--epochs", "--steps", "--batch", "--quick", "--out"]) {
    assert.ok(text.includes(option), `--help lacks ${option}`);
  }
  assert.ok(text.includes("--allow-read --allow-write=runs --allow-ffi examples/enrol.ts"), text);
});

Deno.test("examples/enrol.ts names a bad --shots and its value", async () => {
  for (
    const [value, pattern] of [["0", /--shots must be an integer ≥ 1: current value is 0/]] as const
  ) {
    const output = await enrol(["--quick", "--shots", value]);
    assert.notEqual(output.code, 0);
    assert.match(decoder.decode(output.stderr), pattern);
  }
  // More shots than the sample has images of a class: no probe would be left.
  const output = await enrol(["--quick", "--shots", "100"]);
  assert.notEqual(output.code, 0);
  assert.match(
    decoder.decode(output.stderr),
    /Cannot enrol 100 shots of class \d+ from the bundled sample's unseen classes \(--shots\) as it has only 100 samples: shots must be below 100/,
  );
});
