// Child process of the store conformance suite: commits three enrolments (one at a time,
// saying "committed <n>"), then starts one big enrolment, says "writing", and is killed
// with SIGKILL by the parent before it can commit.
//   args: sqlite <path> | postgres <url> <table>
import { sqliteStore } from "../../lib/gallery/sqlite_store.ts";
import { asyncStore, postgresStore } from "../../lib/gallery/postgres_store.ts";
import { CRASH_DIM, CRASH_ROWS, crashRow } from "./_conformance.ts";

const [kind, where, table] = Deno.args;
const options = { dim: CRASH_DIM, fingerprint: "crash-model" };
const store = kind === "sqlite"
  ? asyncStore(sqliteStore(where, options))
  : await postgresStore(where, { ...options, table });
const say = (text: string) => Deno.stdout.writeSync(new TextEncoder().encode(text + "\n"));

const rows = (i: number, n: number) => {
  const out = new Float32Array(n * CRASH_DIM);
  for (let r = 0; r < n; r++) out.set(crashRow(i, r, CRASH_DIM), r * CRASH_DIM);
  return out;
};
for (let i = 0; i < 3; i++) await store.add([{ identity: `c${i}`, embeddings: rows(i, 3) }]);
say("committed 3");

// SQLite writes fast: many entries keep its transaction open well after "writing". The
// Postgres store encodes every entry before its transaction, which then takes seconds.
const entries = kind === "sqlite" ? 100 : 20;
function* big() {
  for (let i = 3; i < 3 + entries; i++) {
    yield { identity: `c${i}`, embeddings: rows(i, CRASH_ROWS) };
    // SQLite consumes the entries inside its transaction: this is said mid-transaction
    if (i === 13) say("writing");
  }
}
const pending = store.add(big());
await pending;
say("finished"); // the parent kills the process before this
