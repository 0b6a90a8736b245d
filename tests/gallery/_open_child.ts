// Child process of foreign_file_test.ts: opens the gallery named on the command line (run
// without --allow-read) and prints what happened.
import { sqliteStore } from "../../lib/gallery/mod.ts";

try {
  sqliteStore(Deno.args[0], { dim: 32, fingerprint: "m" }).close();
  console.log("opened");
} catch (error) {
  console.log(String(error));
}
