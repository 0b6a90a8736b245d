// Property: for arbitrary (hostile) run values, report.compare writes a page whose data
// reads back with every run, or throws an Error naming the argument — never a partial file.
import assert from "node:assert/strict";
import fc from "fast-check";
import { compare, type ComparedRun } from "../../lib/report/compare.ts";

const pageData = (html: string) =>
  JSON.parse(
    html.match(/<script type="application\/json" id="likeness-data">(.*?)<\/script>/s)![1],
  ) as {
    runs: { name: string; metrics: Record<string, number>; config: Record<string, string> }[];
  };

Deno.test("compare on arbitrary run values: a page with every run, or an error naming the argument; never a partial file", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/compare.html`;
  const run = fc.record({
    name: fc.oneof(fc.string(), fc.constant("</script><script>alert(1)</script>"), fc.constant("")),
    metrics: fc.option(
      fc.dictionary(fc.string(), fc.oneof(fc.double(), fc.integer(), fc.string(), fc.object())),
      { nil: undefined },
    ),
    config: fc.option(fc.dictionary(fc.string(), fc.jsonValue()), { nil: undefined }),
  }, { requiredKeys: ["name"] });
  try {
    await fc.assert(
      fc.asyncProperty(fc.array(run, { maxLength: 4 }), async (runs) => {
        await Deno.remove(out).catch(() => {});
        try {
          await compare(runs as ComparedRun[], out, { live: 0 });
        } catch (error) {
          assert.ok(error instanceof Error);
          assert.match(error.message, /runs(\[\d+\])? must be/);
          assert.equal(
            await Deno.stat(out).then(() => true, () => false),
            false,
            "no file after an error",
          );
          return;
        }
        const html = await Deno.readTextFile(out);
        assert.ok(html.endsWith("</html>\n"));
        // one </script> per script element: no name or value closes one early
        assert.equal(html.split("</script>").length - 1, 2);
        const data = pageData(html);
        assert.equal(data.runs.length, runs.length);
        data.runs.forEach((r, i) => {
          assert.ok(r.name.startsWith(runs[i].name));
          assert.ok(
            Object.values(r.metrics).every((v) => Number.isFinite(v)),
            "no NaN or ±Inf in the table",
          );
        });
        assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), [
          "compare.html",
        ]);
      }),
      { numRuns: 80 },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("compare keeps a metric or setting named __proto__ like any other", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const metrics = JSON.parse('{"__proto__": 0.5, "verification": {"__proto__": 0.25}}');
    const config = JSON.parse('{"__proto__": "x", "constructor": 1}');
    const out = await compare([{ name: "a", metrics, config }], `${dir}/c.html`);
    const data = pageData(await Deno.readTextFile(out));
    assert.equal(data.runs[0].metrics["__proto__"], 0.5);
    assert.equal(data.runs[0].metrics["verification.__proto__"], 0.25);
    assert.equal(data.runs[0].config["__proto__"], "x");
    assert.equal(data.runs[0].config["constructor"], "1");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
