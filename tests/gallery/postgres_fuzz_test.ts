/**
 * Properties of the Postgres store's encodings, for arbitrary (hostile) input: identities
 * round-trip exactly and never collide; every float32 survives pgvector's text input and
 * binary output bit for bit (checked against pgvector itself, PGlite in-process); bad options
 * are refused with an error naming the argument.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  copyVector,
  decodeIdentity,
  encodeIdentity,
  vectorLiteral,
} from "../../lib/gallery/_pg_sql.ts";
import { postgresStore } from "../../lib/gallery/postgres_store.ts";
import { openPglite } from "./_conformance_pg.ts";

Deno.test("fuzz: identities encode to exactly one column and decode to themselves", () => {
  const identity = fc.string({ unit: "binary", minLength: 1, maxLength: 40 });
  fc.assert(
    fc.property(identity, identity, (a, b) => {
      const ka = encodeIdentity(a), kb = encodeIdentity(b);
      assert.ok((ka.text === null) !== (ka.units === null));
      if (ka.text !== null) assert.ok(ka.text.isWellFormed() && !ka.text.includes("\0"));
      assert.equal(decodeIdentity(ka.text, ka.units, "t"), a);
      // different strings, different keys
      if (a !== b) assert.notDeepEqual(ka, kb);
    }),
    { numRuns: 2000 },
  );
});

Deno.test("fuzz: every float32 survives pgvector's text input and binary output exactly", async () => {
  const db = await openPglite();
  try {
    const finite = fc.float({ noNaN: true, noDefaultInfinity: true });
    const bits = fc.integer({ min: 0, max: 2 ** 32 - 1 }).map((u) => {
      const f = new Float32Array(new Uint32Array([u]).buffer)[0];
      return Number.isFinite(f) ? f : 0;
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(finite, bits), { minLength: 1, maxLength: 64 }),
        async (values) => {
          const row = Float32Array.from(values);
          const { rows } = await db.query<{ e: Uint8Array }>(
            "SELECT vector_send($1::vector) AS e",
            [vectorLiteral(row)],
          );
          const back = new Float32Array(row.length);
          copyVector(rows[0].e, back, 0, row.length, "fuzz");
          assert.deepEqual(new Uint32Array(back.buffer), new Uint32Array(row.buffer));
        },
      ),
      { numRuns: 300 },
    );
  } finally {
    await db.close();
  }
});

Deno.test("fuzz: hostile options are refused with an error naming the argument", async () => {
  const hostile = fc.oneof(
    fc.constant(undefined),
    fc.constant(null),
    fc.constant(NaN),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.object(),
    fc.array(fc.anything(), { maxLength: 3 }),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.record({ dim: hostile, fingerprint: hostile, table: hostile, efSearch: hostile }),
      async (options) => {
        const error = await postgresStore("postgres://u@127.0.0.1:1/x", {
          ...options,
          connectTimeoutS: 1,
        } as never).then(() => undefined, (e: unknown) => e);
        assert.ok(error instanceof Error, String(error));
        // a refusal of an argument names it; anything valid fails only on the connection
        assert.match(error.message, /options\.table|dim|fingerprint|efSearch|127\.0\.0\.1:1/);
        assert.doesNotMatch(error.message, /NaN passed/);
      },
    ),
    { numRuns: 60 },
  );
});
