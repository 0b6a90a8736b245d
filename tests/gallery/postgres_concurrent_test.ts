/**
 * Many readers, one writer, on Postgres over TCP: two processes identify (and scan) while a
 * third (this test's) enrols; no reader ever sees a half-enrolled identity. (The SQLite version is
 * tests/gallery/concurrent_test.ts.)
 */
import assert from "node:assert/strict";
import { postgresStore } from "../../lib/gallery/postgres_store.ts";
import { DIM, INSERT_ROWS, ROWS } from "./_pg_concurrent_child.ts";
import { startPgServer } from "./_conformance_pg.ts";

const child = (...args: string[]) =>
  new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./_pg_concurrent_child.ts", import.meta.url).pathname, ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

/** Reads `process`'s stdout until a line satisfies `until`; returns the lines so far. */
async function linesUntil(
  reader: ReadableStreamDefaultReader<string>,
  buffer: { text: string },
  until: (line: string) => boolean,
): Promise<string> {
  for (;;) {
    const at = buffer.text.indexOf("\n");
    if (at >= 0) {
      const line = buffer.text.slice(0, at);
      buffer.text = buffer.text.slice(at + 1);
      if (until(line)) return line;
      continue;
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`the child ended before the expected line; it said ${buffer.text}`);
    buffer.text += value;
  }
}

Deno.test("postgres: two processes identify while a third enrols; none sees half an identity", async () => {
  const server = await startPgServer();
  const table = "concurrent";
  try {
    const store = await postgresStore(server.url, { dim: DIM, fingerprint: "concurrent", table });
    for (const name of ["seed0", "seed1"]) {
      await store.add([{ identity: name, embeddings: new Float32Array(ROWS * DIM).fill(0.5) }]);
    }
    const readers = [child(server.url, table), child(server.url, table)];
    const outs = readers.map((r) => ({
      reader: r.stdout.pipeThrough(new TextDecoderStream()).getReader(),
      buffer: { text: "" },
    }));
    for (const [i, o] of outs.entries()) {
      await linesUntil(o.reader, o.buffer, (l) => l === "ready").catch(async (error) => {
        throw new Error(`${error.message}: ${await new Response(readers[i].stderr).text()}`);
      });
    }
    // This process is the writer: one enrolment at a time, each three INSERT statements in
    // one transaction, while the readers check.
    const writer = await postgresStore(server.url, {
      dim: DIM,
      fingerprint: "concurrent",
      table,
      insertRows: INSERT_ROWS,
    });
    for (let i = 0; i < 30; i++) {
      const rows = new Float32Array(ROWS * DIM).map((_, j) => i + (j % 7) / 10);
      await writer.add([{ identity: `w${i}`, embeddings: rows }]);
      await new Promise((r) => setTimeout(r, 20));
    }
    await writer.close();
    const reports = [];
    for (const [i, r] of readers.entries()) {
      await r.stdin.close();
      const line = await linesUntil(outs[i].reader, outs[i].buffer, (l) => l.startsWith("{"))
        .catch(async (error) => {
          throw new Error(`${error.message}: ${await new Response(r.stderr).text()}`);
        });
      reports.push(JSON.parse(line) as { checks: number; violations: string[]; totals: number[] });
      await outs[i].reader.cancel();
      const status = await r.status;
      assert.equal(status.code, 0, await new Response(r.stderr).text());
    }
    for (const report of reports) {
      assert.deepEqual(report.violations, []);
      assert.ok(report.checks >= 2, `${report.checks} checks`);
    }
    // The readers ran while the writer enrolled: together they saw the gallery grow.
    const totals = new Set(reports.flatMap((r) => r.totals));
    assert.ok(totals.size >= 2, `the readers saw gallery sizes ${[...totals]}`);
    assert.equal(await store.count(), 32 * ROWS);
    await store.close();
  } finally {
    await server.close();
  }
});
