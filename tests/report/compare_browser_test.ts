// report.compare and tools/compare.ts: one self-contained page comparing runs, checked in
// Deno and in headless Chromium (from file://, and served over HTTP for the live view).
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import type { Page } from "puppeteer-core";
import { compare } from "../../lib/report/compare.ts";
import { fit } from "../../lib/train/fit.ts";
import { historyLog, readHistory } from "../../lib/train/history_log.ts";
import { missing } from "../_require.ts";
import { chromiumMissing, launchChromium, serveFolder } from "../browser/_chromium.ts";

await tf.setBackend("cpu");

const ROOT = new URL("../../", import.meta.url).pathname;

/** A run folder as an example writes it: history.jsonl through fit, and metrics.json. */
async function writeRun(dir: string, seed: number, lr: number, steps: number): Promise<void> {
  const embedder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [1], units: 1 })] });
  const program = {
    embedder,
    optimizer: tf.train.sgd(0.1),
    setLearningRate: () => {},
    trainStep: (x: tf.Tensor) => tf.mean(x) as tf.Scalar,
  };
  const batches = () =>
    Array.from({ length: steps }, (_, i) => tf.fill([2, 1], 2 * seed / (i + 1)));
  const validation = {
    every: 5,
    run: ({ step }: { step: number }) => ({ precisionAt1: 0.5 + step / 100 + seed / 1000 }),
  };
  const run = historyLog(`${dir}/history.jsonl`, {
    config: { seed, lr, batch: 32, loss: "tripletMargin" },
  })(
    fit(program, batches, { validation, learningRate: lr, progress: "none" }),
  );
  let result = await run.next();
  while (!result.done) result = await run.next();
  embedder.dispose();
  await Deno.writeTextFile(
    `${dir}/metrics.json`,
    JSON.stringify({
      example: "triplet",
      backend: "cpu",
      seed,
      steps,
      imagesPerSecond: 1000 + seed,
      verification: {
        auc: 0.9 + seed / 100,
        eer: 0.1 - seed / 100,
        tarAtFar: { "0.01": 0.4, "0.001": 0.2 },
      },
      identification: { rank1: 0.7 + seed / 100 },
    }),
  );
}

function pageData(html: string) {
  const json =
    html.match(/<script type="application\/json" id="likeness-data">(.*?)<\/script>/s)![1];
  return JSON.parse(json) as {
    runs: {
      name: string;
      href: string | null;
      steps: { step: number[]; loss: number[] };
      validation: Record<string, { step: number[] }>;
      metrics: Record<string, number>;
      config: Record<string, string>;
    }[];
  };
}

Deno.test("compare: run folders → curves, final metrics and configuration of each run in one page", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeRun(`${dir}/runs/a`, 1, 0.01, 20);
    await writeRun(`${dir}/runs/b`, 2, 0.001, 30);
    const out = await compare(
      [`${dir}/runs/a`, `${dir}/runs/b/history.jsonl`],
      `${dir}/runs/compare.html`,
    );
    const data = pageData(await Deno.readTextFile(out));
    assert.deepEqual(data.runs.map((r) => r.name), ["a", "b"]);
    assert.deepEqual(data.runs.map((r) => r.href), ["a/history.jsonl", "b/history.jsonl"]);
    assert.equal(data.runs[0].steps.step.length, 20);
    assert.equal(data.runs[1].steps.step.length, 30);
    assert.deepEqual(data.runs[0].validation.precisionAt1.step, [5, 10, 15, 20]);
    assert.equal(data.runs[0].metrics["verification.auc"], 0.91);
    assert.equal(data.runs[0].metrics["verification.tarAtFar.0.01"], 0.4);
    assert.equal(data.runs[0].metrics["history.steps"], 20);
    assert.ok(
      !("verification.auc" in data.runs[1].metrics),
      "a history.jsonl alone has no metrics.json",
    );
    assert.equal(data.runs[0].config.seed, "1");
    assert.equal(data.runs[0].config.lr, "0.01");
    assert.equal(data.runs[0].config.backend, "cpu");
    assert.equal(data.runs[0].config["stop reason"], "completed");
    // the history's numbers are the log's
    const h = await readHistory(`${dir}/runs/a/history.jsonl`);
    assert.deepEqual(data.runs[0].steps.loss, h.steps.map((s) => s.loss));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compare: bad runs and a foreign output file are errors naming them; nothing is overwritten", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeRun(`${dir}/a`, 1, 0.01, 3);
    await assert.rejects(
      compare([], `${dir}/c.html`),
      /runs must be a non-empty array .*: current value is \[\]/,
    );
    await assert.rejects(compare([`${dir}/nope`], `${dir}/c.html`), /nope" does not exist/);
    await Deno.mkdir(`${dir}/empty`);
    await assert.rejects(
      compare([`${dir}/empty`], `${dir}/c.html`),
      /empty" holds neither history\.jsonl nor metrics\.json/,
    );
    await Deno.writeTextFile(`${dir}/bad.json`, "{");
    await Deno.mkdir(`${dir}/broken`);
    await Deno.writeTextFile(`${dir}/broken/metrics.json`, "{not json");
    await assert.rejects(
      compare([`${dir}/broken`], `${dir}/c.html`),
      /broken\/metrics\.json" is not JSON/,
    );
    await assert.rejects(
      compare([{ name: "" }], `${dir}/c.html`),
      /runs\[0\] must be a folder path or \{ name, history\?, metrics\?, config\? \}/,
    );
    await assert.rejects(
      compare([`${dir}/a`], `${dir}/c.html`, { live: -1 }),
      /options\.live must be a number of seconds ≥ 0: current value is -1/,
    );
    await Deno.writeTextFile(`${dir}/mine.html`, "<p>my page</p>");
    await assert.rejects(
      compare([`${dir}/a`], `${dir}/mine.html`),
      /mine\.html" as that file is not a likeness page/,
    );
    assert.equal(await Deno.readTextFile(`${dir}/mine.html`), "<p>my page</p>");
    // run values work without files
    const out = await compare(
      [{ name: "x", metrics: { verification: { auc: 0.5 } }, config: { lr: 1 } }, `${dir}/a`],
      `${dir}/c.html`,
    );
    const data = pageData(await Deno.readTextFile(out));
    assert.equal(data.runs[0].metrics["verification.auc"], 0.5);
    assert.equal(data.runs[0].href, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("tools/compare.ts: runs/* --out compare.html writes the page, skips what is not a run, fails on a bad option", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await writeRun(`${dir}/runs/a`, 1, 0.01, 4);
    await writeRun(`${dir}/runs/b`, 2, 0.001, 4);
    await Deno.writeTextFile(`${dir}/runs/notes.txt`, "hello");
    const cli = (args: string[]) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-read", "--allow-write", `${ROOT}tools/compare.ts`, ...args],
        cwd: dir,
        stdout: "piped",
        stderr: "piped",
      }).output();
    const ok = await cli(["runs/a", "runs/b", "runs/notes.txt", "--out", "compare.html"]);
    const said = new TextDecoder().decode(ok.stdout) + new TextDecoder().decode(ok.stderr);
    assert.equal(ok.code, 0, said);
    assert.match(said, /skipping runs\/notes\.txt/);
    assert.match(said, /2 runs → compare\.html/);
    assert.deepEqual(
      pageData(await Deno.readTextFile(`${dir}/compare.html`)).runs.map((r) => r.name),
      ["a", "b"],
    );
    const bad = await cli(["runs/a", "--live", "soon"]);
    assert.equal(bad.code, 1);
    assert.match(
      new TextDecoder().decode(bad.stderr),
      /--live must be a number of seconds ≥ 0: current value is "soon"/,
    );
    const none = await cli(["runs/notes.txt"]);
    assert.equal(none.code, 1);
    assert.match(new TextDecoder().decode(none.stderr), /no run to compare/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

async function inPage<T>(page: Page, code: string): Promise<T> {
  return await page.evaluate(code) as T;
}

Deno.test({
  name:
    "compare page in headless Chromium: from file:// no console errors, one loss curve per run, metrics and configuration diff, not blank; served over HTTP it follows a growing history.jsonl",
  ignore: missing("chromium", chromiumMissing()),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "likeness-compare-" });
    const server = serveFolder(dir);
    const browser = await launchChromium();
    try {
      await writeRun(`${dir}/runs/a`, 1, 0.01, 20);
      await writeRun(`${dir}/runs/b`, 2, 0.001, 30);
      const path = await compare([`${dir}/runs/a`, `${dir}/runs/b`], `${dir}/compare.html`, {
        live: 1,
      });
      const page = await browser.newPage();
      await page.setViewport({ width: 1280, height: 900 });
      const problems: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warn") {
          problems.push(`console ${m.type()}: ${m.text()}`);
        }
      });
      page.on("pageerror", (e) => problems.push(`page: ${String(e)}`));
      page.on("requestfailed", (r) => problems.push(`request: ${r.url()}`));
      await page.goto(new URL(`file://${path}`).href, { waitUntil: "load" });
      await page.waitForFunction(
        () =>
          (globalThis as { likenessCompare?: { ready: boolean } }).likenessCompare?.ready === true,
        { timeout: 10_000 },
      );
      assert.deepEqual(problems, []);
      assert.equal(
        await page.$$eval("#loss-plot path.curve", (ps) => ps.length),
        2,
        "one loss curve per run",
      );
      assert.equal(await page.$$eval("#validation-plots path.curve", (ps) => ps.length), 2);
      const auc = await page.$$eval(
        '#metrics-table tr[data-metric="verification.auc"] td',
        (tds) => tds.map((t) => [t.textContent, t.className]),
      );
      assert.deepEqual(auc, [["verification.auc ↑", ""], ["0.9100", ""], ["0.9200", "best"]]);
      const eer = await page.$$eval(
        '#metrics-table tr[data-metric="verification.eer"] td',
        (tds) => tds.map((t) => t.className),
      );
      assert.deepEqual(eer, ["", "", "best"], "lower EER is better");
      const differs = await page.$$eval(
        "#config-differs tr td:first-child",
        (tds) => tds.map((t) => t.textContent),
      );
      for (const key of ["seed", "lr", "steps"]) {
        assert.ok(differs.includes(key), `${key} differs: ${differs}`);
      }
      const same = await page.$$eval(
        "#config-same tr td:first-child",
        (tds) => tds.map((t) => t.textContent),
      );
      assert.ok(same.includes("batch") && same.includes("backend"), `${same}`);
      // hiding a run removes its curve; smoothing keeps one curve per visible run
      await page.click('#runs button[data-run="0"]');
      assert.equal(await page.$$eval("#loss-plot path.curve", (ps) => ps.length), 1);
      await page.click('#runs button[data-run="0"]');
      const element = (await page.$("#curves"))!;
      const png = await element.screenshot({ encoding: "base64" }) as string;
      const shots = Deno.env.get("LIKENESS_SCREENSHOTS");
      if (shots) {
        await Deno.writeFile(
          `${shots}/compare-curves.png`,
          Uint8Array.from(atob(png), (c) => c.charCodeAt(0)),
        );
        await page.screenshot({ path: `${shots}/compare-page.png`, fullPage: true });
      }
      const stats = await inPage<{ variance: number; width: number }>(
        page,
        `(async () => {
          const img = new Image(); img.src = "data:image/png;base64,${png}"; await img.decode();
          const c = document.createElement("canvas"); c.width = img.width; c.height = img.height;
          const g = c.getContext("2d"); g.drawImage(img, 0, 0);
          const px = g.getImageData(0, 0, c.width, c.height).data;
          let sum = 0, sq = 0; const n = px.length / 4;
          for (let i = 0; i < px.length; i += 4) { const v = (px[i] + px[i + 1] + px[i + 2]) / 3; sum += v; sq += v * v; }
          return { width: c.width, variance: sq / n - (sum / n) ** 2 };
        })()`,
      );
      assert.ok(stats.width > 300 && stats.variance > 50, `curves drawn: ${JSON.stringify(stats)}`);
      assert.match(await page.$eval("#live", (p) => p.textContent ?? ""), /A snapshot of/);

      // served over HTTP: the page re-reads history.jsonl; a run that goes on shows its new steps
      const live = await browser.newPage();
      const liveProblems: string[] = [];
      live.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warn") {
          liveProblems.push(`live console ${m.type()}: ${m.text()}`);
        }
      });
      live.on("pageerror", (e) => liveProblems.push(`live page: ${String(e)}`));
      await live.goto(`http://127.0.0.1:${server.addr.port}/compare.html`, { waitUntil: "load" });
      await live.waitForFunction(
        () =>
          (globalThis as { likenessCompare?: { ready: boolean } }).likenessCompare?.ready === true,
        { timeout: 10_000 },
      );
      const stepsOf = () =>
        live.evaluate(() =>
          (globalThis as unknown as { likenessCompare: { stepsOf(i: number): number } })
            .likenessCompare.stepsOf(0)
        );
      assert.equal(await stepsOf(), 20);
      const more = [21, 22, 23].map((n) =>
        JSON.stringify({
          kind: "step",
          step: n,
          epoch: 0,
          loss: 0.1,
          lr: 0.01,
          imagesPerSecond: 5,
          elapsedMs: n,
        }) + "\n"
      ).join("");
      await Deno.writeTextFile(`${dir}/runs/a/history.jsonl`, more + '{"kind":"step","st', {
        append: true,
      });
      await live.waitForFunction(
        () =>
          (globalThis as unknown as { likenessCompare: { stepsOf(i: number): number } })
            .likenessCompare.stepsOf(0) === 23,
        { timeout: 10_000 },
      );
      assert.match(
        await live.$eval("#live", (p) => p.textContent ?? ""),
        /live: history re-read at/,
      );
      assert.deepEqual(liveProblems, []);

      // a metric and a setting named __proto__ are rows like any other (browsers have the accessor)
      const protoPath = await compare(
        [{
          name: "p",
          metrics: JSON.parse('{"__proto__": 0.5}'),
          config: JSON.parse('{"__proto__": "x"}'),
        }],
        `${dir}/proto.html`,
      );
      await page.goto(new URL(`file://${protoPath}`).href, { waitUntil: "load" });
      await page.waitForFunction(
        () =>
          (globalThis as { likenessCompare?: { ready: boolean } }).likenessCompare?.ready === true,
        { timeout: 10_000 },
      );
      assert.deepEqual(
        await page.$$eval(
          '#metrics-table tr[data-metric="__proto__"] td',
          (tds) => tds.map((t) => t.textContent),
        ),
        ["__proto__", "0.5000"],
      );
      assert.ok(
        (await page.$$eval("#config-same td:first-child", (tds) => tds.map((t) => t.textContent)))
          .includes("__proto__"),
      );
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
