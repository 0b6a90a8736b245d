// Importing likeness asks for no permission (so Deno never prompts) and changes no tfjs
// global: no kernel, gradient, serializable class, backend, flag or global variable (kernels
// and gradients are registered by useBackend, layer classes when a layer is first built).
// The child runs with no permission at all (`--no-prompt`), and Deno's permission audit log
// (DENO_AUDIT_PERMISSIONS) records every check it makes: the log must stay empty.
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));

Deno.test("importing every entry point needs no permission and changes no tfjs global", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const audit = join(dir, "audit.jsonl");
    const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "tests/_import/child.ts"],
      cwd: root,
      env: { DENO_AUDIT_PERMISSIONS: audit, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(stdout);
    const err = new TextDecoder().decode(stderr);
    assert.equal(code, 0, `child failed (${code}): ${err}`);
    const lines = out.trim().split("\n");
    assert.equal(lines.at(-1), "ok", out);
    const checks = await Deno.readTextFile(audit).catch(() => "");
    assert.equal(checks.trim(), "", `importing likeness checked permissions:\n${checks}`);
    const { changes } = JSON.parse(lines.at(-2)!) as { changes: string[] };
    console.log(`tfjs globals changed by importing likeness: ${JSON.stringify(changes)}`);
    assert.deepEqual(changes, [], `global changes at import: ${changes.join("; ")}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the child imports every entry point (mod.ts, each lib folder's mod.ts, each published entry)", async () => {
  const found: string[] = ["mod.ts"];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(join(root, dir))) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) await walk(path);
      else if (entry.name === "mod.ts") found.push(path);
    }
  };
  await walk("lib");
  // and every entry of the published package (deno.json "exports")
  const config = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  for (const path of Object.values(config.exports as Record<string, string>)) {
    const plain = path.replace(/^\.\//, "");
    if (!found.includes(plain)) found.push(plain);
  }
  const source = await Deno.readTextFile(join(root, "tests/_import/entry_points.ts"));
  const imported = [...source.matchAll(/^import "\.\.\/\.\.\/(.+)";$/gm)].map((m) => m[1]);
  assert.deepEqual([...imported].sort(), found.sort());
});

Deno.test("no entry point looks like a promise: `await import(…)` of each resolves", async () => {
  // A module that exports `then` is a thenable: `await import()` of it calls that `then` and
  // never resolves (lib/branches exported one until it became `andThen`).
  const source = await Deno.readTextFile(join(root, "tests/_import/entry_points.ts"));
  for (const [, path] of source.matchAll(/^import "\.\.\/\.\.\/(.+)";$/gm)) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const namespace = await Promise.race([
      import(new URL(`../${path}`, import.meta.url).href),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${path}: never resolved`)), 5000);
      }),
    ]).finally(() => clearTimeout(timer));
    assert.equal("then" in (namespace as object), false, `${path} exports then`);
  }
});
