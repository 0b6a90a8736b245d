import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cmcPlot,
  histogramPlot,
  rankingGallery,
  writePlot,
  writeReport,
} from "../../lib/report/mod.ts";
import { decodePng, parseXml } from "./_inspect.ts";

const source = { images: new Float32Array(2 * 4).fill(0.5), shape: [2, 2], size: 2 };

/** Every src and href of the HTML: data URIs, or files that exist relative to dir. */
async function unresolved(dir: string, html: string): Promise<string[]> {
  const missing: string[] = [];
  for (const m of html.matchAll(/\s(?:src|href)="([^"]*)"/g)) {
    const ref = m[1].replaceAll("&amp;", "&");
    if (ref.startsWith("data:")) continue;
    try {
      await Deno.stat(join(dir, ref));
    } catch {
      missing.push(ref);
    }
  }
  return missing;
}

Deno.test("writeReport: one self-contained page whose references all resolve", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "log.txt"), "step 1\n");
    const path = await writeReport(dir, {
      title: "Triplet <run> & co",
      info: { seed: 1, loss: "triplet", epochs: 5 },
      metrics: { auc: 0.971234, "rank-1": 0.8, pairs: 3000 },
      tables: [{ caption: "Sizes", columns: ["size", "AUC"], rows: [[8, 0.9], [32, 0.95]] }],
      figures: [
        {
          title: "Distances",
          spec: histogramPlot({ edges: [0, 1, 2], matched: [2, 1], mismatched: [1, 2] }),
        },
        { title: "CMC", spec: cmcPlot([0.5, 0.9]), caption: "rank-k accuracy" },
        {
          title: "Neighbours",
          svg: rankingGallery(source, [{
            query: 0,
            neighbours: [{ index: 1, distance: 1, correct: true }],
          }]),
        },
      ],
      links: [{ text: "training log", href: "log.txt" }],
    });
    assert.equal(path, join(dir, "report.html"));
    const html = await Deno.readTextFile(path);
    assert.ok(html.startsWith("<!DOCTYPE html>"));
    assert.deepEqual(await unresolved(dir, html), []);
    assert.ok(html.includes("<title>Triplet &lt;run&gt; &amp; co</title>"));
    assert.ok(
      html.includes('<td class="n">0.9712</td>') && html.includes('<td class="n">3000</td>'),
    );
    // Figures are SVG data URIs that decode to well-formed SVG documents.
    const uris = [...html.matchAll(/<img src="data:image\/svg\+xml;base64,([^"]+)"/g)].map((m) =>
      m[1]
    );
    assert.equal(uris.length, 3);
    for (const b64 of uris) {
      const svg = new TextDecoder().decode(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
      assert.equal(parseXml(svg).name, "svg");
    }
    // PNG copies beside the report, linked from it, and no temporary files left over.
    const files = [...Deno.readDirSync(join(dir, "figures"))].map((e) => e.name).sort();
    assert.deepEqual(files, ["01-distances.png", "02-cmc.png", "03-neighbours.png"]);
    for (const f of files) {
      assert.ok(html.includes(`href="figures/${f}"`));
      assert.ok(decodePng(await Deno.readFile(join(dir, "figures", f))).width > 0);
    }
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
      "figures",
      "log.txt",
      "report.html",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeReport: without PNG files the page still stands alone", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await writeReport(dir, {
      title: "t",
      figures: [{ title: "c", spec: cmcPlot([1]) }],
    }, {
      pngFiles: false,
      fileName: "index.html",
    });
    const html = await Deno.readTextFile(path);
    assert.deepEqual(await unresolved(dir, html), []);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["index.html"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writeReport: refuses broken links and malformed content", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => writeReport(dir, { title: "t", links: [{ text: "ckpt", href: "missing.bin" }] }),
      /link "ckpt" points to a missing file: current href is missing.bin/,
    );
    await assert.rejects(
      () => writeReport(dir, { title: "t", links: [{ text: "up", href: "../x" }] }),
      /inside the run folder: current href is \.\.\/x/,
    );
    await assert.rejects(() => writeReport(dir, { title: "" }), /title must be a non-empty string/);
    await assert.rejects(
      () => writeReport(dir, { title: "t", figures: [{ title: "f" }] }),
      /figure "f" must have exactly one of spec and svg/,
    );
    await assert.rejects(
      () =>
        writeReport(dir, {
          title: "t",
          tables: [{ caption: "x", columns: ["a", "b"], rows: [[1]] }],
        }),
      /row 0 has 1 cells for 2 columns/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)], [], "nothing written on failure");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("writePlot: SVG or PNG by extension, atomically, folders created", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writePlot(join(dir, "a/b/cmc.png"), cmcPlot([0.2, 0.4]), { scale: 1 });
    await writePlot(join(dir, "cmc.svg"), cmcPlot([0.2, 0.4]));
    assert.ok(decodePng(await Deno.readFile(join(dir, "a/b/cmc.png"))).width > 100);
    assert.equal(parseXml(await Deno.readTextFile(join(dir, "cmc.svg"))).name, "svg");
    await assert.rejects(
      () => writePlot(join(dir, "x.jpg"), "<svg/>"),
      /must end in .svg or .png: current path is/,
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["a", "cmc.svg"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
