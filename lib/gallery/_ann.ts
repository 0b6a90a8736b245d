/**
 * The HNSW index behind `hnswIndex`: the native `usearch` engine (loaded on demand), a copy
 * of the gallery's rows for exact re-scoring, incremental updates, and the index file
 * (framed, checksummed, written atomically, refused when foreign or corrupt, rebuilt when
 * stale).
 *
 * @module
 */
import type { Distance } from "../types.ts";
import type { GalleryStore } from "./types.ts";
import type { Hit } from "./_search.ts";

/** The parts of usearch's `Index` used here. */
export interface NativeIndex {
  add(keys: BigUint64Array, vectors: Float32Array, threads: number): void;
  search(vectors: Float32Array, k: number, threads: number): {
    keys: BigUint64Array;
    distances: Float32Array;
    counts?: BigUint64Array;
  };
  remove(keys: BigUint64Array): number | number[];
  size(): number;
  save(path: string): void;
  load(path: string): void;
}

/** The parts of the usearch module used here. */
export interface NativeModule {
  Index: new (config: {
    dimensions: number;
    metric: string;
    quantization: string;
    connectivity: number;
    expansion_add: number;
    expansion_search: number;
    multi: boolean;
  }) => NativeIndex;
}

/** Settings of one HNSW index (checked by `hnswIndex`). */
export interface AnnSettings {
  readonly path: string | undefined;
  readonly threshold: number;
  readonly connectivity: number;
  readonly expansionAdd: number;
  readonly expansionSearch: number;
  readonly threads: number;
}

/** What `hnswIndex` returns carries these, out of the user's sight. */
export interface AnnHandle {
  readonly native: NativeModule;
  readonly settings: AnnSettings;
}

const handles = new WeakMap<object, AnnHandle>();

/** Records the native module and settings behind a public index object. */
export function register(index: object, handle: AnnHandle): void {
  handles.set(index, handle);
}

/** The handle behind `index`, or undefined when it was not made by `hnswIndex`. */
export function handleOf(index: unknown): AnnHandle | undefined {
  return typeof index === "object" && index !== null ? handles.get(index) : undefined;
}

let loaded: Promise<NativeModule> | undefined;

/**
 * usearch's specifier, as a value rather than a literal in `import(...)`: a bundler then
 * leaves the native package (and its static `node:fs`/`node:path` imports) out of a browser
 * bundle of likeness's core, where it would stop the page from loading.
 */
const USEARCH: string = "npm:usearch@2.26.2";

/** Loads usearch's prebuilt binary once (needs --allow-ffi, --allow-read, --allow-env, --allow-sys). */
export function loadNative(): Promise<NativeModule> {
  loaded ??= import(USEARCH).then(
    (m) => ((m as { default?: NativeModule }).default ?? m) as NativeModule,
  ).catch((e) => {
    loaded = undefined;
    throw new Error(
      `Cannot load the HNSW engine (npm:usearch, a native addon): ${
        (e as Error).message
      }. It needs --allow-ffi --allow-read --allow-env --allow-sys`,
      { cause: e },
    );
  });
  return loaded;
}

/** usearch's metric for a likeness distance: one that ranks rows the same way. */
export function metricOf(distance: Distance): "l2sq" | "cos" | "ip" | undefined {
  switch (distance.host.kind) {
    case "euclidean":
    case "squaredEuclidean":
      return "l2sq";
    case "cosine":
      return "cos";
    case "dot":
      return "ip";
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- content hash

/**
 * An order-independent hash of a set of items (id, identity, embedding bits): two 32-bit
 * lanes, each the sum mod 2³² of a per-item hash, so that an item can be added or taken
 * away without a rescan, and a fresh scan of the store gives the same value.
 */
export class ContentHash {
  a = 0;
  b = 0;
  count = 0;
  /** The two lanes' values for one item. */
  static item(id: number, identity: string, row: Float32Array): [number, number] {
    let h1 = 0x811c9dc5 ^ 0x5bd1e995, h2 = 0x01000193;
    const mix = (w: number) => {
      h1 = Math.imul(h1 ^ w, 0x01000193);
      h1 ^= h1 >>> 15;
      h2 = Math.imul(h2 + w, 0x85ebca6b);
      h2 ^= h2 >>> 13;
    };
    mix(id >>> 0);
    mix(Math.floor(id / 2 ** 32) >>> 0);
    for (let i = 0; i < identity.length; i++) mix(identity.charCodeAt(i));
    mix(identity.length);
    const words = new Uint32Array(row.buffer, row.byteOffset, row.length);
    for (let i = 0; i < words.length; i++) mix(words[i]);
    h1 = Math.imul(h1 ^ (h1 >>> 16), 0x7feb352d);
    h2 = Math.imul(h2 ^ (h2 >>> 16), 0x846ca68b);
    return [h1 >>> 0, h2 >>> 0];
  }
  /** Adds (sign 1) or takes away (sign -1) one item's lanes. */
  update(a: number, b: number, sign: 1 | -1): void {
    this.a = (this.a + sign * a) >>> 0;
    this.b = (this.b + sign * b) >>> 0;
    this.count += sign;
  }
  /** The hash as text (for the index file's header). */
  text(): string {
    return `${this.count}:${this.a.toString(16)}:${this.b.toString(16)}`;
  }
}

/** A 2-lane checksum of bytes (the index file's body). */
export function checksum(bytes: Uint8Array): string {
  let h1 = 0x9747b28c, h2 = 0x1b873593;
  const whole = bytes.length >>> 2;
  const words = bytes.byteOffset % 4 === 0
    ? new Uint32Array(bytes.buffer, bytes.byteOffset, whole)
    : new Uint32Array(bytes.slice(0, whole * 4).buffer);
  for (let i = 0; i < whole; i++) {
    const w = words[i];
    h1 = Math.imul(h1 ^ w, 0xcc9e2d51);
    h1 = (h1 << 13) | (h1 >>> 19);
    h2 = Math.imul(h2 + w, 0x85ebca6b) ^ (h2 >>> 11);
  }
  for (let i = whole * 4; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 0xcc9e2d51);
    h2 = Math.imul(h2 + bytes[i], 0x85ebca6b);
  }
  h1 ^= bytes.length;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
  h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
  return `${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16).padStart(8, "0")}`;
}

// ---------------------------------------------------------------- index file

/** The first bytes of every index file likeness writes. */
export const MAGIC = "LIKENESS-HNSW\n";
const FORMAT = 1;

/** What an index file's header records. */
export interface FileHeader {
  readonly format: number;
  readonly fingerprint: string;
  readonly distance: string;
  readonly dim: number;
  readonly metric: string;
  readonly connectivity: number;
  readonly expansionAdd: number;
  /** The stored items' content hash ({@linkcode ContentHash.text}) when it was written. */
  readonly content: string;
  readonly bodyBytes: number;
  readonly bodyChecksum: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function fileError(path: string, why: string): Error {
  return new Error(
    `Cannot use HNSW index file ${
      JSON.stringify(path)
    } as ${why}: delete it (it is rebuilt from the store) or pass another options.path`,
  );
}

/**
 * Reads an index file: undefined when there is none; throws when it is not a likeness
 * index (foreign) or is damaged (corrupt), naming the file.
 */
export function readIndexFile(
  path: string,
): { header: FileHeader; body: Uint8Array } | undefined {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new Error(
      `Cannot read HNSW index file ${JSON.stringify(path)}: ${(e as Error).message}`,
      {
        cause: e,
      },
    );
  }
  const magic = encoder.encode(MAGIC);
  const start = bytes.subarray(0, magic.length);
  if (start.length < magic.length || start.some((b, i) => b !== magic[i])) {
    const seen = JSON.stringify(new TextDecoder().decode(bytes.subarray(0, 16)));
    throw fileError(path, `it is not a likeness HNSW index (it starts with ${seen})`);
  }
  const at = magic.length;
  if (bytes.length < at + 4) throw fileError(path, "it is corrupt: truncated header");
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);
  if (headerBytes > 65536 || at + 4 + headerBytes > bytes.length) {
    throw fileError(
      path,
      `it is corrupt: header length ${headerBytes} of a ${bytes.length}-byte file`,
    );
  }
  let header: FileHeader;
  try {
    header = JSON.parse(decoder.decode(bytes.subarray(at + 4, at + 4 + headerBytes)));
  } catch {
    throw fileError(path, "it is corrupt: its header is not JSON");
  }
  const fields: [keyof FileHeader, string][] = [
    ["format", "number"],
    ["fingerprint", "string"],
    ["distance", "string"],
    ["dim", "number"],
    ["metric", "string"],
    ["connectivity", "number"],
    ["expansionAdd", "number"],
    ["content", "string"],
    ["bodyBytes", "number"],
    ["bodyChecksum", "string"],
  ];
  for (const [name, type] of fields) {
    if (typeof header !== "object" || header === null || typeof header[name] !== type) {
      throw fileError(path, `it is corrupt: header field '${name}' is not a ${type}`);
    }
  }
  if (header.format !== FORMAT) {
    throw fileError(path, `it has format ${header.format}, this likeness reads format ${FORMAT}`);
  }
  const body = bytes.subarray(at + 4 + headerBytes);
  if (body.length !== header.bodyBytes) {
    throw fileError(
      path,
      `it is corrupt: ${body.length} bytes of index where its header says ${header.bodyBytes}`,
    );
  }
  const sum = checksum(body);
  if (sum !== header.bodyChecksum) {
    throw fileError(
      path,
      `it is corrupt: checksum ${sum} where its header says ${header.bodyChecksum}`,
    );
  }
  return { header, body };
}

/** Whether the file at `path` may be replaced: absent, or an index likeness wrote. */
function checkReplaceable(path: string): void {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  try {
    const magic = encoder.encode(MAGIC);
    const start = new Uint8Array(magic.length);
    let got = 0;
    while (got < start.length) {
      const n = file.readSync(start.subarray(got));
      if (n === null || n === 0) break;
      got += n;
    }
    if (got < magic.length || start.some((b, i) => b !== magic[i])) {
      const seen = JSON.stringify(new TextDecoder().decode(start.subarray(0, got)));
      throw new Error(
        `Cannot write HNSW index file ${
          JSON.stringify(path)
        } as a file that is not a likeness HNSW index is there (it starts with ${seen}): move it away or pass another options.path`,
      );
    }
  } finally {
    file.close();
  }
}

function tempName(path: string, what: string): string {
  const random = crypto.getRandomValues(new Uint32Array(1))[0].toString(36);
  return `${path}.${Deno.pid}.${random}.${what}.tmp`;
}

/**
 * Removes temp files a killed writer left beside `path` (Linux: their process is gone from
 * /proc; elsewhere nothing is removed).
 */
function removeOrphans(path: string): void {
  const slash = path.lastIndexOf("/");
  const dir = slash < 0 ? "." : path.slice(0, slash) || "/";
  const base = path.slice(slash + 1);
  try {
    Deno.statSync("/proc/self");
  } catch {
    return;
  }
  try {
    for (const entry of Deno.readDirSync(dir)) {
      if (!entry.isFile || !entry.name.startsWith(`${base}.`)) continue;
      const m = /^\.(\d+)\.[0-9a-z]+\.(body|index|load)\.tmp$/.exec(entry.name.slice(base.length));
      if (m === null || Number(m[1]) === Deno.pid) continue;
      try {
        Deno.statSync(`/proc/${m[1]}`);
      } catch {
        removeQuietly(`${dir}/${entry.name}`);
      }
    }
  } catch {
    // an unreadable folder: nothing to tidy
  }
}

function removeQuietly(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // already gone
  }
}

/**
 * Writes `index` to `path` atomically (temp file, fsync, rename): a crash leaves the old
 * file or the new one, never a partial one. Refuses to replace a file that is not ours.
 */
export function writeIndexFile(
  path: string,
  index: NativeIndex,
  header: Omit<FileHeader, "format" | "bodyBytes" | "bodyChecksum">,
): void {
  checkReplaceable(path);
  removeOrphans(path);
  const blobPath = tempName(path, "body");
  const tmp = tempName(path, "index");
  try {
    index.save(blobPath);
    const body = Deno.readFileSync(blobPath);
    removeQuietly(blobPath);
    const full: FileHeader = {
      format: FORMAT,
      ...header,
      bodyBytes: body.length,
      bodyChecksum: checksum(body),
    };
    const headerBytes = encoder.encode(JSON.stringify(full));
    const prefix = new Uint8Array(MAGIC.length + 4 + headerBytes.length);
    prefix.set(encoder.encode(MAGIC));
    new DataView(prefix.buffer).setUint32(MAGIC.length, headerBytes.length, true);
    prefix.set(headerBytes, MAGIC.length + 4);
    const file = Deno.openSync(tmp, { write: true, createNew: true });
    try {
      for (const part of [prefix, body]) {
        let done = 0;
        while (done < part.length) done += file.writeSync(part.subarray(done));
      }
      file.syncSync();
    } finally {
      file.close();
    }
    checkReplaceable(path);
    Deno.renameSync(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    removeQuietly(blobPath);
    throw e;
  }
}

/** Loads an index body (usearch's own format) into `index` through a temp file. */
export function loadBody(path: string, index: NativeIndex, body: Uint8Array): void {
  const blobPath = tempName(path, "load");
  try {
    Deno.writeFileSync(blobPath, body, { createNew: true });
    index.load(blobPath);
  } finally {
    removeQuietly(blobPath);
  }
}

// ---------------------------------------------------------------- the gallery's index

/**
 * The gallery's rows in id order ("slots"; removed rows leave dead slots until the next
 * rebuild), the HNSW graph over the live ones (keyed by item id) once the gallery reaches
 * the threshold, and the store revision they reflect.
 */
export class AnnGallery {
  ids = new Float64Array(1024);
  groups = new Int32Array(1024);
  /** Each slot's content-hash lanes (to take an item away without its original row). */
  hashes = new Uint32Array(2048);
  vectors: Float32Array;
  slots = 0;
  live = 0;
  names: string[] = [];
  number = new Map<string, number>();
  content = new ContentHash();
  graph: NativeIndex | undefined;
  /** The store revision this state reflects. */
  revision: string;
  /** Whether the graph changed since it was last written. */
  dirty = false;
  readonly metric: "l2sq" | "cos" | "ip";

  constructor(
    readonly handle: AnnHandle,
    readonly store: GalleryStore,
    readonly distance: Distance,
    readonly chunkSize: number,
  ) {
    const metric = metricOf(distance);
    if (metric === undefined) {
      throw new Error(
        `Cannot open gallery with an HNSW index as distance '${distance.name}' has no HNSW form (euclidean, squaredEuclidean, cosine and dot have): omit options.index to search exactly`,
      );
    }
    this.metric = metric;
    this.vectors = new Float32Array(1024 * store.dim);
    this.revision = store.revision();
    for (const chunk of store.scan(chunkSize)) {
      if (!this.append(chunk.ids, chunk.identities, chunk.embeddings)) {
        throw new Error(
          `Cannot index the gallery as its store's scan is not in increasing id order (item ${
            chunk.ids[0]
          }): an HNSW index needs a store that scans in id order`,
        );
      }
    }
  }

  get dim(): number {
    return this.store.dim;
  }

  /**
   * Appends rows to the slots (not to the graph). Ids must increase beyond every slot's
   * (the store's scan order; AUTOINCREMENT ids): returns false, changing nothing, when not.
   */
  append(ids: readonly number[], identities: readonly string[], rows: Float32Array): boolean {
    const dim = this.dim;
    let last = this.slots > 0 ? this.ids[this.slots - 1] : -Infinity;
    for (const id of ids) {
      if (!(id > last)) return false;
      last = id;
    }
    const need = this.slots + ids.length;
    if (need > this.ids.length) {
      let capacity = this.ids.length;
      while (capacity < need) capacity *= 2;
      const grownIds = new Float64Array(capacity);
      grownIds.set(this.ids.subarray(0, this.slots));
      const grownGroups = new Int32Array(capacity);
      grownGroups.set(this.groups.subarray(0, this.slots));
      const grownHashes = new Uint32Array(capacity * 2);
      grownHashes.set(this.hashes.subarray(0, this.slots * 2));
      this.hashes = grownHashes;
      const grownVectors = new Float32Array(capacity * dim);
      grownVectors.set(this.vectors.subarray(0, this.slots * dim));
      this.ids = grownIds;
      this.groups = grownGroups;
      this.vectors = grownVectors;
    }
    for (let i = 0; i < ids.length; i++) {
      const s = this.slots++;
      const name = identities[i];
      let g = this.number.get(name);
      if (g === undefined) {
        g = this.names.length;
        this.number.set(name, g);
        this.names.push(name);
      }
      this.ids[s] = ids[i];
      this.groups[s] = g;
      const row = rows.subarray(i * dim, (i + 1) * dim);
      const [a, b] = ContentHash.item(ids[i], name, row);
      this.hashes[2 * s] = a;
      this.hashes[2 * s + 1] = b;
      this.content.update(a, b, 1);
      this.vectors.set(row, s * dim);
      if (this.metric === "cos") {
        // Unit rows, scaled as exact search scales them: re-scored distances match it bit for bit.
        let sq = 0;
        for (let t = 0; t < dim; t++) sq += row[t] * row[t];
        const scale = sq > 0 ? 1 / Math.sqrt(sq) : 1;
        for (let t = 0; t < dim; t++) this.vectors[s * dim + t] = row[t] * scale;
      }
      this.live++;
    }
    return true;
  }

  /** Drops dead slots (the graph, keyed by item id, is unaffected). */
  compact(): void {
    const dim = this.dim;
    let to = 0;
    for (let s = 0; s < this.slots; s++) {
      if (this.groups[s] < 0) continue;
      if (to !== s) {
        this.ids[to] = this.ids[s];
        this.groups[to] = this.groups[s];
        this.hashes[2 * to] = this.hashes[2 * s];
        this.hashes[2 * to + 1] = this.hashes[2 * s + 1];
        this.vectors.copyWithin(to * dim, s * dim, (s + 1) * dim);
      }
      to++;
    }
    this.slots = to;
  }

  /** Kills every live slot of `identity`; returns the killed items' ids. */
  kill(identity: string): number[] {
    const g = this.number.get(identity);
    if (g === undefined) return [];
    const gone: number[] = [];
    for (let s = 0; s < this.slots; s++) {
      if (this.groups[s] !== g) continue;
      this.content.update(this.hashes[2 * s], this.hashes[2 * s + 1], -1);
      this.groups[s] = -1;
      gone.push(this.ids[s]);
      this.live--;
    }
    if (this.slots > 1024 && this.live < this.slots / 2) this.compact();
    if (gone.length > 0 && this.graph !== undefined) {
      this.graph.remove(BigUint64Array.from(gone, (id) => BigInt(id)));
      this.dirty = true;
    }
    return gone;
  }

  /** Adds slots `from` and after to the graph (when there is one). */
  index(from: number): void {
    if (this.graph === undefined || from >= this.slots) return;
    const dim = this.dim;
    // Added a block at a time, straight from the slots when they are all live (no copy).
    const block = 65536;
    for (let b0 = from; b0 < this.slots; b0 += block) {
      const b1 = Math.min(this.slots, b0 + block);
      let live = 0;
      for (let s = b0; s < b1; s++) if (this.groups[s] >= 0) live++;
      if (live === 0) continue;
      const keys = new BigUint64Array(live);
      let rows = this.vectors.subarray(b0 * dim, b1 * dim);
      if (live === b1 - b0) {
        for (let s = b0; s < b1; s++) keys[s - b0] = BigInt(this.ids[s]);
      } else {
        rows = new Float32Array(live * dim);
        let n = 0;
        for (let s = b0; s < b1; s++) {
          if (this.groups[s] < 0) continue;
          keys[n] = BigInt(this.ids[s]);
          rows.set(this.vectors.subarray(s * dim, (s + 1) * dim), n * dim);
          n++;
        }
      }
      this.graph.add(keys, rows, this.handle.settings.threads);
    }
    this.dirty = true;
  }

  private newGraph(): NativeIndex {
    const { connectivity, expansionAdd } = this.handle.settings;
    return new this.handle.native.Index({
      dimensions: this.dim,
      metric: this.metric,
      quantization: "f32",
      connectivity,
      expansion_add: expansionAdd,
      // The search asks for max(k, expansionSearch) candidates itself: usearch's candidate
      // list is at least the count asked for, so `ef` is a per-search setting, not the file's.
      expansion_search: 1,
      multi: false,
    });
  }

  private header() {
    const { connectivity, expansionAdd } = this.handle.settings;
    return {
      fingerprint: this.store.fingerprint,
      distance: this.distance.name,
      dim: this.dim,
      metric: this.metric,
      connectivity,
      expansionAdd,
      content: this.content.text(),
    };
  }

  /**
   * Makes the graph when the gallery has reached the threshold: read from the index file
   * when it matches the store (fingerprint, distance, settings and content), else built
   * from the rows and written. A foreign or corrupt file throws.
   */
  ensureGraph(): boolean {
    if (this.graph !== undefined) return true;
    const { path, threshold } = this.handle.settings;
    if (this.live < threshold) return false;
    if (path !== undefined) {
      const file = readIndexFile(path);
      const want = this.header();
      if (
        file !== undefined &&
        (Object.keys(want) as (keyof typeof want)[]).every((k) => file.header[k] === want[k])
      ) {
        const graph = this.newGraph();
        loadBody(path, graph, file.body);
        if (graph.size() !== this.live) {
          throw fileError(
            path,
            `it is corrupt: it holds ${graph.size()} items where the store has ${this.live}`,
          );
        }
        this.graph = graph;
        this.dirty = false;
        return true;
      }
    }
    this.graph = this.newGraph();
    this.index(0);
    this.save();
    return true;
  }

  /** Writes the graph to the index file when it changed (and there is a file). */
  save(): void {
    const path = this.handle.settings.path;
    if (path === undefined || this.graph === undefined || !this.dirty) return;
    writeIndexFile(path, this.graph, this.header());
    this.dirty = false;
  }

  /** The keys (item ids) of every live item. */
  liveKeys(): BigUint64Array {
    const keys = new BigUint64Array(this.live);
    let n = 0;
    for (let slot = 0; slot < this.slots && n < keys.length; slot++) {
      if (this.groups[slot] >= 0) keys[n++] = BigInt(this.ids[slot]);
    }
    return keys.subarray(0, n);
  }

  /** The slot of item `id` (ids are increasing over the slots), or -1. */
  slotOf(id: number): number {
    let lo = 0, hi = this.slots - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const v = this.ids[mid];
      if (v === id) return mid;
      if (v < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /**
   * The k best rows of each query (the best row of each identity when `distinct`), closest
   * first, by exact float64 distance over the graph's candidates. The graph must exist.
   */
  search(queries: Float32Array, k: number, distinct: boolean): Hit[][] {
    const graph = this.graph!;
    const dim = this.dim;
    const nq = queries.length / dim;
    const { threads, expansionSearch } = this.handle.settings;
    const want = (kk: number) => Math.min(this.live, kk);
    const first = want(Math.max(distinct ? Math.max(2 * k, k + 16) : k, expansionSearch));
    const out: Hit[][] = new Array(nq);
    const block = 1024;
    for (let q0 = 0; q0 < nq; q0 += block) {
      const nb = Math.min(block, nq - q0);
      const rows = queries.subarray(q0 * dim, (q0 + nb) * dim);
      const found = graph.search(rows, first, nb === 1 ? 1 : threads);
      for (let i = 0; i < nb; i++) {
        const query = queries.subarray((q0 + i) * dim, (q0 + i + 1) * dim);
        const count = found.counts === undefined ? found.keys.length : Number(found.counts[i]);
        // Asked for every item and the graph reached fewer (a part of it unconnected to the
        // entry point): rank them all, exactly, rather than miss some.
        const keys = count < first && first === this.live
          ? this.liveKeys()
          : found.keys.subarray(i * first, i * first + count);
        let hits = this.rank(query, keys, k, distinct);
        // Too few distinct identities among the candidates: ask for more.
        let kk = first;
        while (distinct && hits.length < k && kk < this.live) {
          kk = want(Math.max(kk * 4, expansionSearch));
          const more = graph.search(query.slice(), kk, 1);
          hits = this.rank(query, more.keys, k, distinct);
        }
        out[q0 + i] = hits;
      }
    }
    return out;
  }

  private rank(query: Float32Array, keys: BigUint64Array, k: number, distinct: boolean): Hit[] {
    const dim = this.dim;
    const pair = this.distance.host.pair;
    const hits: (Hit & { slot: number })[] = [];
    for (let c = 0; c < keys.length; c++) {
      const slot = this.slotOf(Number(keys[c]));
      if (slot < 0 || this.groups[slot] < 0) continue;
      const distance = pair(query, this.vectors.subarray(slot * dim, (slot + 1) * dim));
      hits.push({ group: this.groups[slot], id: this.ids[slot], distance, slot });
    }
    hits.sort((a, b) => a.distance - b.distance || a.slot - b.slot);
    const kept: Hit[] = [];
    const seen = new Set<number>();
    for (const { group, id, distance } of hits) {
      if (kept.length >= k) break;
      if (distinct) {
        if (seen.has(group)) continue;
        seen.add(group);
      }
      kept.push({ group, id, distance });
    }
    return kept;
  }
}

/**
 * Whether a store went from revision `before` to `after` by exactly the one write this
 * process just made (so that the index may follow incrementally), for the stores whose
 * revisions say so: SQLite (`sqlite:<data_version>:<own changes>`, data_version moves only
 * on other connections' commits) and memory (`memory:<changes>`). Unknown stores: false
 * (the index is rebuilt from the store).
 */
export function onlyOurWrite(before: string, after: string): boolean {
  if (before === after) return true;
  const s0 = /^sqlite:(\d+):(\d+)$/.exec(before), s1 = /^sqlite:(\d+):(\d+)$/.exec(after);
  if (s0 !== null && s1 !== null) return s0[1] === s1[1] && Number(s1[2]) === Number(s0[2]) + 1;
  const m0 = /^memory:(\d+)$/.exec(before), m1 = /^memory:(\d+)$/.exec(after);
  if (m0 !== null && m1 !== null) return Number(m1[1]) === Number(m0[1]) + 1;
  return false;
}
