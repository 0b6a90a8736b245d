// Child process of postgres_concurrent_test.ts, a reader. args: <url> <table>. Says "ready"
// after its first check, then checks until the parent closes its stdin: every identity it
// sees (in a scan, or ranked by identify/similar) has exactly ROWS samples. Prints one JSON
// line of what it saw.
import { postgresStore } from "../../lib/gallery/postgres_store.ts";

export const ROWS = 10;
/** Rows per INSERT: each enrolment is three statements in one transaction. */
export const INSERT_ROWS = 4;
export const DIM = 4;

const [url, table] = Deno.args;
if (import.meta.main) {
  const store = await postgresStore(url, {
    dim: DIM,
    fingerprint: "concurrent",
    table,
    insertRows: INSERT_ROWS,
  });
  const say = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));
  {
    let stop = false;
    (async () => {
      for await (const _ of Deno.stdin.readable) { /* until closed */ }
      stop = true;
    })();
    const violations: string[] = [];
    const totals = new Set<number>();
    let checks = 0;
    for (let round = 0; !stop || checks < 2; round++) {
      if (round % 2 === 0) {
        const per = new Map<string, number>();
        for await (const chunk of store.scan(4096)) {
          for (const id of chunk.identities) per.set(id, (per.get(id) ?? 0) + 1);
        }
        for (const [id, count] of per) {
          if (count !== ROWS) violations.push(`scan saw ${id} with ${count} samples`);
        }
        totals.add(per.size);
      } else {
        const q = [round % 9, 0.1, 0.2, 0.3];
        const seen = new Set([
          ...(await store.identify(q, 3)).map((m) => m.identity),
          ...(await store.similar(q, 5)).map((m) => m.identity),
        ]);
        for (const id of seen) {
          const count = (await store.embeddings(id)).length / DIM;
          if (count !== ROWS) violations.push(`search found ${id} with ${count} samples`);
        }
      }
      checks++;
      if (checks === 1) say("ready");
      // leave the writer room: PGlite runs one transaction at a time
      await new Promise((r) => setTimeout(r, 10));
    }
    say(JSON.stringify({ checks, violations, totals: [...totals] }));
  }
  await store.close();
}
