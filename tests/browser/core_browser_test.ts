// The core of likeness in a real browser: mod.ts bundled for the browser (no node: module, no
// Deno at module scope) trains, embeds, enrols and identifies in headless Chromium, and every
// number equals the same scenario's in Deno.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import * as likeness from "../../mod.ts";
import { missing } from "../_require.ts";
import { chromiumMissing, launchChromium, serveFolder } from "./_chromium.ts";
import { scenario, type ScenarioResult } from "./_scenario.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

/** Bundles `entry` for the browser into `out` with `deno bundle`; returns the bundle's text. */
async function bundle(entry: string, out: string): Promise<string> {
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--platform", "browser", "-o", out, entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const said = new TextDecoder().decode(run.stderr);
  assert.equal(run.code, 0, `deno bundle failed: ${said}`);
  return await Deno.readTextFile(out);
}

interface GraphModule {
  readonly specifier: string;
  readonly dependencies?: {
    readonly specifier: string;
    readonly code?: { readonly specifier: string };
    readonly isDynamic?: boolean;
  }[];
}

Deno.test("no module of the core imports a node: module statically (only when a function runs)", async () => {
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "mod.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
  const graph = JSON.parse(new TextDecoder().decode(run.stdout)) as {
    modules: GraphModule[];
  };
  const byName = new Map(graph.modules.map((m) => [m.specifier, m]));
  // walk the static code imports from mod.ts (type-only and dynamic imports load nothing)
  const seen = new Set<string>(), offenders: string[] = [];
  const queue = [new URL("mod.ts", `file://${ROOT}`).href];
  while (queue.length > 0) {
    const here = queue.pop()!;
    if (seen.has(here) || !here.startsWith("file:")) continue;
    seen.add(here);
    for (const dep of byName.get(here)?.dependencies ?? []) {
      if (dep.code === undefined || dep.isDynamic === true) continue;
      if (dep.code.specifier.startsWith("node:")) {
        offenders.push(`${here.slice(`file://${ROOT}`.length)} imports ${dep.code.specifier}`);
      } else queue.push(dep.code.specifier);
    }
  }
  assert.ok(seen.size > 100, `walked only ${seen.size} modules`);
  assert.deepEqual(offenders, []);
});

Deno.test({
  name: "in headless Chromium the core trains, embeds and identifies with Deno's numbers",
  ignore: missing("chromium", chromiumMissing()),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const here = await scenario(likeness, tf);
    const dir = await Deno.makeTempDir({ prefix: "likeness-browser-" });
    const server = serveFolder(dir);
    const browser = await launchChromium();
    try {
      await bundle("tests/browser/_entry.ts", `${dir}/entry.js`);
      await Deno.writeTextFile(
        `${dir}/index.html`,
        `<!doctype html><meta charset="utf-8"><title>likeness</title><script type="module" src="entry.js"></script>`,
      );
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") problems.push(`console: ${m.text()}`);
      });
      page.on("pageerror", (e) => problems.push(`page: ${String(e)}`));
      page.on("requestfailed", (r) => problems.push(`request: ${r.url()}`));
      await page.goto(`http://127.0.0.1:${server.addr.port}/index.html`, { waitUntil: "load" });
      const started = Date.now();
      while (problems.length === 0 && Date.now() - started < 30_000) {
        if (await page.evaluate(() => "likenessResult" in globalThis)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(problems, [], "the page loads without errors");
      const there = await page.evaluate(() =>
        (globalThis as unknown as { likenessResult: Promise<ScenarioResult> }).likenessResult
      );
      assert.deepEqual(problems, []);
      assert.equal(there.backend, "cpu");
      assert.equal(here.numTensors, 0, "no tensor leaks in Deno");
      assert.equal(there.numTensors, 0, "no tensor leaks in the browser");
      // the same computation on the same backend: the same float32 numbers
      assert.deepEqual(there.losses, here.losses);
      assert.deepEqual(there.fitLosses, here.fitLosses);
      assert.equal(there.embeddings.length, 48 * 3);
      there.embeddings.forEach((v, i) =>
        assert.ok(
          Math.abs(v - here.embeddings[i]) <= 1e-6,
          `embedding value ${i}: ${v} vs ${here.embeddings[i]}`,
        )
      );
      assert.equal(there.fingerprint, here.fingerprint);
      assert.deepEqual(there.ranked.map((m) => m.identity), here.ranked.map((m) => m.identity));
      there.ranked.forEach((m, i) =>
        assert.ok(Math.abs(m.distance - here.ranked[i].distance) <= 1e-6)
      );
      assert.equal(there.accepted, here.accepted);
      assert.ok(Math.abs(there.auc - here.auc) <= 1e-9);
      // and it learned something: the loss fell, the classes separate
      assert.ok(here.fitLosses[1] < here.losses[0], `${here.losses} → ${here.fitLosses}`);
      assert.ok(here.auc > 0.6, `AUC ${here.auc}`);
    } finally {
      await browser.close();
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
