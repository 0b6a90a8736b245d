// Child process of write_lock_test.ts: another writer of one SQLite file, through SQLite's own
// busy handler. Arguments: path, milliseconds to run, milliseconds each transaction holds the
// write lock. It commits back to back (as a busy writer on a slow disk does) and prints
// "ready" once it has taken the write lock for the first time (or once it starts, when
// another child holds it: children starve each other too), then its commit count at the end.
import { DatabaseSync } from "node:sqlite";

const [path, runArg, holdArg] = Deno.args;
const db = new DatabaseSync(path);
db.exec("PRAGMA busy_timeout = 10000");
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const stop = Date.now() + Number(runArg);
let commits = 0;
if (Number(holdArg) < 100) console.log("ready");
while (Date.now() < stop) {
  db.exec("BEGIN IMMEDIATE");
  if (commits === 0 && Number(holdArg) >= 100) console.log("ready");
  Atomics.wait(sleeper, 0, 0, Number(holdArg));
  db.exec("COMMIT");
  commits++;
}
console.log(`done ${commits}`);
db.close();
