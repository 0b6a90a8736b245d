// Missing read permission is reported as such, naming the flag: for the folder itself, and
// for the codecs' wasm files (which live in node_modules or Deno's cache, so
// --allow-read=<the folder> alone is not enough) — not as a corrupt image.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { encode, rgba } from "./_images.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function child(dir: string, flags: string[]) {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--no-prompt", ...flags, "tests/data/_perm_child.ts", dir],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  return JSON.parse(new TextDecoder().decode(stdout).trim().split("\n").at(-1)!) as {
    ok?: number;
    name?: string;
    reason?: string;
    message?: string;
  }[];
}

Deno.test("a missing --allow-read is a permission error naming the flag, not a corrupt image", async () => {
  const dir = await Deno.makeTempDir();
  try {
    for (const [c, format] of [["a", "png"], ["b", "jpeg"]] as const) {
      await Deno.mkdir(`${dir}/${c}`);
      const bytes = await encode(format, 2, 2, rgba(2, 2, () => [9, 99, 199, 255]));
      await Deno.writeFile(`${dir}/${c}/1.${format === "png" ? "png" : "jpg"}`, bytes);
    }
    const none = await child(dir, []);
    assert.equal(none.length, 1);
    assert.equal(none[0].name, "DataFileError");
    assert.equal(none[0].reason, "permission");
    assert.match(none[0].message!, /--allow-read/);
    const folderOnly = await child(dir, [`--allow-read=${dir}`]);
    assert.equal(folderOnly.length, 2);
    for (const r of folderOnly) {
      assert.equal(r.name, "DataFileError", JSON.stringify(r));
      assert.equal(r.reason, "permission", r.message ?? "");
      assert.match(r.message!, /codec.*--allow-read/);
    }
    const all = await child(dir, ["--allow-read"]);
    assert.deepEqual(all, [{ ok: 12 }, { ok: 12 }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
