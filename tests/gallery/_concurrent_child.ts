// Child process of concurrent_test.ts: a writer or a reader of one SQLite gallery shared
// with other processes. Arguments: role (writer|reader), gallery path, index, start time and
// stop time (ms since the epoch). A writer prints one line per committed change; a reader
// checks every snapshot it reads and prints what it saw. Any error ends it with status 1.
import { openGallery, sqliteStore, type StoreChunk } from "../../lib/gallery/mod.ts";

/** Samples per enrolment, and the size of an embedding. */
export const ROWS = 4, DIM = 8;

/** Row r of an identity's samples: writer, serial, row and a checksum of the three. */
export function rowOf(writer: number, serial: number, r: number): Float32Array {
  const row = new Float32Array(DIM);
  row.set([writer, serial, r, writer * 1000 + serial * 10 + r]);
  return row;
}

const say = (line: string) => Deno.stdout.writeSync(new TextEncoder().encode(line + "\n"));

/** Throws unless one identity's rows are exactly what its writer enrolled. */
function checkRows(identity: string, data: Float32Array, where: string): void {
  const match = /^w(\d+)-(\d+)(?:-b\d)?$/.exec(identity);
  if (match === null) throw new Error(`${where}: unexpected identity '${identity}'`);
  if (data.length !== ROWS * DIM) {
    throw new Error(
      `${where}: a partial enrolment: '${identity}' has ${data.length / DIM} rows, not ${ROWS}`,
    );
  }
  const [w, s] = [Number(match[1]), Number(match[2])];
  for (let r = 0; r < ROWS; r++) {
    const expected = rowOf(w, s, r);
    for (let t = 0; t < DIM; t++) {
      if (data[r * DIM + t] !== expected[t]) {
        throw new Error(`${where}: '${identity}' row ${r} is not what was enrolled`);
      }
    }
  }
}

async function main() {
  const [role, path, indexArg, startArg, stopArg] = Deno.args;
  const index = Number(indexArg), start = Number(startArg);
  // Everyone opens (and the first one creates) the file at the same moment.
  await new Promise((r) => setTimeout(r, Math.max(0, start - Date.now())));
  // A process that loaded late (a busy machine) still works a while.
  const stop = Math.max(Number(stopArg), Date.now() + 1500);
  const store = sqliteStore(path, { dim: DIM, fingerprint: "concurrent" });
  const gallery = openGallery(store, { threshold: 0.5, chunkSize: 16 });
  if (role === "writer") {
    const samples = (serial: number) =>
      Array.from({ length: ROWS }, (_, r) => rowOf(index, serial, r));
    let serial = 0;
    while (Date.now() < stop) {
      const kind = serial % 5;
      if (kind === 3) {
        // Three identities in one transaction: a reader sees all three or none.
        const names = [0, 1, 2].map((b) => `w${index}-${serial}-b${b}`);
        gallery.enrolMany(names.map((identity) => ({ identity, embeddings: samples(serial) })));
        say(`+ ${names.join(" ")}`);
      } else if (kind === 4) {
        // Remove an earlier single enrolment (all its samples, in one transaction).
        const gone = `w${index}-${serial - 4}`; // a single enrolment (kind 0)
        gallery.remove(gone);
        say(`- ${gone}`);
      } else {
        const identity = `w${index}-${serial}`;
        gallery.enrol(identity, samples(serial));
        say(`+ ${identity}`);
        if (kind === 2) {
          // Replace the previous enrolment's samples (with the same values) in one
          // transaction: a reader never sees it missing or doubled.
          const again = `w${index}-${serial - 1}`;
          gallery.enrol(again, samples(serial - 1), { replace: true });
          say(`+ ${again}`);
        }
      }
      serial++;
    }
    say(`done ${serial}`);
  } else {
    let snapshots = 0, largest = 0, queries = 0;
    const counts = new Set<number>();
    // Identities that are never removed (all but kind 0): once seen, always there.
    const lasting = new Set<string>();
    while (Date.now() < stop) {
      // One scan is one snapshot: every identity in it is complete, every batch whole.
      const chunks: StoreChunk[] = [...store.scan(16)];
      const byIdentity = new Map<string, Float32Array[]>();
      for (const chunk of chunks) {
        chunk.identities.forEach((identity, i) => {
          const rows = byIdentity.get(identity) ?? [];
          rows.push(chunk.embeddings.slice(i * DIM, (i + 1) * DIM));
          byIdentity.set(identity, rows);
        });
      }
      for (const [identity, rows] of byIdentity) {
        const data = new Float32Array(rows.length * DIM);
        rows.forEach((row, r) => data.set(row, r * DIM));
        checkRows(identity, data, `snapshot ${snapshots}`);
        const batch = /^(w\d+-\d+)-b\d$/.exec(identity);
        if (batch !== null) {
          for (const b of [0, 1, 2]) {
            if (!byIdentity.has(`${batch[1]}-b${b}`)) {
              throw new Error(`snapshot ${snapshots}: batch ${batch[1]} is partly visible`);
            }
          }
        }
      }
      for (const identity of lasting) {
        if (!byIdentity.has(identity)) {
          throw new Error(`snapshot ${snapshots}: '${identity}' went missing`);
        }
      }
      for (const identity of byIdentity.keys()) {
        if (Number(/^w\d+-(\d+)/.exec(identity)![1]) % 5 !== 0) lasting.add(identity);
      }
      const n = chunks.reduce((s, c) => s + c.ids.length, 0);
      counts.add(n);
      largest = Math.max(largest, n);
      snapshots++;
      // Point reads: an identity read on its own is complete, or gone (removed meanwhile).
      for (const identity of store.identities().slice(-5)) {
        const data = store.embeddings(identity);
        if (data.length > 0) checkRows(identity, data, `read of '${identity}'`);
      }
      if (n > 0) {
        const query = rowOf(0, 1, 0);
        const ranked = gallery.identify(query, 3);
        if (ranked.length === 0 || !(ranked[0].distance >= 0)) {
          throw new Error(`identify gave ${JSON.stringify(ranked)}`);
        }
        queries++;
      }
    }
    say(JSON.stringify({ snapshots, largest, distinctCounts: counts.size, queries }));
  }
  gallery.close();
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    say(`error ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
