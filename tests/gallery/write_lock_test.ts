// The SQLite store's write lock beside other writers: a writer is not starved by writers
// that commit back to back, and opening a gallery that exists takes no write lock at all.
import assert from "node:assert/strict";
import { openGallery, sqliteStore } from "../../lib/gallery/mod.ts";

const CHILD = new URL("./_write_lock_child.ts", import.meta.url).pathname;

/** Starts `count` writers holding the lock `holdMs` at a time; resolves once each holds it. */
async function hammer(path: string, count: number, runMs: number, holdMs: number) {
  const children = Array.from({ length: count }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", CHILD, path, String(runMs), String(holdMs)],
      stdout: "piped",
      stderr: "piped",
    }).spawn());
  // Wait for each to print "ready" (it holds the lock) before measuring anything.
  const outputs = children.map((child) => {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const ready = (async () => {
      while (!text.includes("ready")) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`a writer ended before it was ready: ${text}`);
        text += value;
      }
    })();
    const rest = ready.then(async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return text;
        text += value;
      }
    });
    return { ready, rest, child };
  });
  await Promise.all(outputs.map((o) => o.ready));
  return async () => {
    const texts = await Promise.all(outputs.map((o) => o.rest));
    for (const o of outputs) await o.child.status;
    return texts.map((t) => Number(/done (\d+)/.exec(t)?.[1] ?? NaN));
  };
}

Deno.test("a writer gets the lock between other writers' back-to-back commits", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "likeness-write-lock-" });
  try {
    const path = `${dir}/g.db`;
    sqliteStore(path, { dim: 2, fingerprint: "f" }).close();
    // Two writers each holding the lock 10 ms at a time, with no gap but their own loop:
    // SQLite's busy handler (sleeps up to 100 ms) almost never finds it free in 2.5 s.
    const finish = await hammer(path, 2, 5000, 10);
    await new Promise((resolve) => setTimeout(resolve, 300)); // they are committing
    const store = sqliteStore(path, { dim: 2, fingerprint: "f", busyTimeoutMs: 2500 });
    const gallery = openGallery(store);
    for (let i = 0; i < 10; i++) gallery.enrol(`p${i}`, [new Float32Array([i, 1])]);
    assert.equal(gallery.count(), 10);
    gallery.close();
    const commits = await finish();
    // the others really were committing all the while
    const total = commits.reduce((a, b) => a + b, 0);
    assert.ok(total >= 50, `the other writers' commits: ${commits}`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("opening a gallery that exists takes no write lock: it opens while another writes", async () => {
  const dir = Deno.makeTempDirSync({ prefix: "likeness-write-lock-" });
  try {
    const path = `${dir}/g.db`;
    const first = sqliteStore(path, { dim: 2, fingerprint: "f" });
    first.add([{ identity: "alice", embeddings: new Float32Array([1, 2]) }]);
    first.close();
    // One writer holding the lock for 1.5 s at a time; the reader may not wait at all.
    const finish = await hammer(path, 1, 1500, 1500);
    const store = sqliteStore(path, { dim: 2, fingerprint: "f", busyTimeoutMs: 0 });
    assert.deepEqual(store.identities(), ["alice"]);
    assert.deepEqual([...store.embeddings("alice")], [1, 2]);
    // a write has to wait, and with busyTimeoutMs 0 fails at once, naming the file and why
    assert.throws(
      () => store.add([{ identity: "bob", embeddings: new Float32Array([0, 0]) }]),
      (e: Error) =>
        e.message.includes(path) && /database is locked.*busyTimeoutMs \(0 ms\)/.test(e.message),
    );
    store.close();
    await finish();
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
