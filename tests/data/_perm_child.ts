// Child of image_permissions_test.ts: loads the first image of each class of the folder given,
// with whatever --allow-read the parent chose, and prints each outcome as one JSON line.
import { imageFolder } from "../../lib/data/mod.ts";

const out: unknown[] = [];
try {
  const d = await imageFolder(Deno.args[0], { size: 2 });
  for (let i = 0; i < d.size; i++) {
    try {
      out.push({ ok: (await d.load([i]))[0].length });
    } catch (e) {
      out.push({
        name: (e as Error).name,
        reason: (e as { reason?: string }).reason,
        message: (e as Error).message,
      });
    }
  }
} catch (e) {
  out.push({
    name: (e as Error).name,
    reason: (e as { reason?: string }).reason,
    message: (e as Error).message,
  });
}
console.log(JSON.stringify(out));
