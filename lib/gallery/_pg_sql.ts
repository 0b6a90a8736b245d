/**
 * The SQL side of `postgresStore`: identities, vectors and distances as Postgres and
 * pgvector hold them. Internal.
 *
 * @module
 */

/** How pgvector compares embeddings of a built-in distance: the operator and its HNSW class. */
export interface PgDistance {
  /** The pgvector operator that orders by this distance (`<->`, `<=>`, `<#>`, `<+>`). */
  readonly operator: string;
  /** The HNSW operator class. */
  readonly opclass: string;
}

/** pgvector's operator and index class for each built-in distance that pgvector can order by. */
export const PG_DISTANCES: Readonly<Record<string, PgDistance>> = {
  euclidean: { operator: "<->", opclass: "vector_l2_ops" },
  // the same order as euclidean; likeness re-scores the candidates with the squared form
  squaredEuclidean: { operator: "<->", opclass: "vector_l2_ops" },
  cosine: { operator: "<=>", opclass: "vector_cosine_ops" },
  // pgvector's <#> is the negative inner product: likeness's dot distance
  dot: { operator: "<#>", opclass: "vector_ip_ops" },
  manhattan: { operator: "<+>", opclass: "vector_l1_ops" },
};

/** The most dimensions pgvector's HNSW index takes for a `vector` column. */
export const PG_MAX_DIM = 2000;

/**
 * An identity as two columns: `text` for a well-formed string without NUL (nearly all; readable
 * in SQL), otherwise `units`, its UTF-16 code units little-endian as hex (Postgres text holds
 * neither NUL nor lone surrogates). Exactly one of the two is set, so two different strings
 * never share a key and both come back exactly.
 */
export interface PgIdentity {
  readonly text: string | null;
  readonly units: string | null;
}

export function encodeIdentity(identity: string): PgIdentity {
  if (identity.isWellFormed() && !identity.includes("\0")) return { text: identity, units: null };
  let hex = "";
  for (let i = 0; i < identity.length; i++) {
    const unit = identity.charCodeAt(i);
    hex += HEX[unit & 0xff] + HEX[unit >> 8];
  }
  return { text: null, units: hex };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** The identity of a row read back (`text`, or `units` as hex); throws naming `where` if damaged. */
export function decodeIdentity(text: unknown, units: unknown, where: string): string {
  if (typeof text === "string" && (units === null || units === undefined)) return text;
  if (
    (text === null || text === undefined) && typeof units === "string" && units.length % 4 === 0
  ) {
    let out = "";
    for (let i = 0; i < units.length; i += 4) {
      const unit = parseInt(units.slice(i, i + 2), 16) |
        (parseInt(units.slice(i + 2, i + 4), 16) << 8);
      out += String.fromCharCode(unit);
    }
    return out;
  }
  throw new Error(
    `Cannot read ${where} as a stored identity must be text or UTF-16 units: current value is ${
      JSON.stringify([text, units])
    } (the table is damaged)`,
  );
}

/**
 * A pgvector literal of one row. Each float32 value is written as the shortest decimal of its
 * float64 value, which pgvector parses back to the same float32 (and -0 keeps its sign).
 */
export function vectorLiteral(values: Float32Array, start = 0, dim = values.length): string {
  let out = "[";
  for (let i = 0; i < dim; i++) {
    const v = values[start + i];
    out += (i === 0 ? "" : ",") + (Object.is(v, -0) ? "-0" : String(v));
  }
  return out + "]";
}

/**
 * Copies a pgvector value sent in binary (`vector_send`: a 16-bit dimension, 16 unused bits,
 * then big-endian float32 values) into `target` at row `row`: exactly the stored bits.
 */
export function copyVector(
  bytes: unknown,
  target: Float32Array,
  row: number,
  dim: number,
  where: string,
): void {
  if (!(bytes instanceof Uint8Array) || bytes.byteLength !== 4 + dim * 4) {
    throw new Error(
      `Cannot read ${where} as a stored embedding must have ${dim} values (${
        4 + dim * 4
      } bytes sent): current value has ${
        bytes instanceof Uint8Array ? `${bytes.byteLength} bytes` : typeof bytes
      } (the table is damaged)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== dim) {
    throw new Error(
      `Cannot read ${where} as a stored embedding must have dim ${dim}: current dim is ${
        view.getUint16(0)
      } (the table is damaged)`,
    );
  }
  const at = row * dim;
  for (let i = 0; i < dim; i++) target[at + i] = view.getFloat32(4 + i * 4, false);
}

/** A connection URL with its password (and any query string) left out, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const user = u.username === "" ? "" : `${decodeURIComponent(u.username)}@`;
    return `${u.protocol}//${user}${u.host}${u.pathname}`;
  } catch {
    return "(an unparsable URL)";
  }
}
