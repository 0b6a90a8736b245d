/**
 * The per-query work of the retrieval metrics: from one row of distances, the 1-based
 * ranks of the query's matches (through counts, without sorting the whole row) and its k
 * nearest neighbours. Rows are grouped by label, so a query's matches are one contiguous
 * range. Distances arrive as the bit patterns of non-negative float32 values (a
 * `Uint32Array` view of the row), which order exactly as the values do.
 *
 * @module
 */
import { type RadixScratch, radixScratch, sortKeys } from "./_radix.ts";

/** Reusable buffers, sized once for a whole pass. */
export interface RankState {
  /** Match distance keys (size: most matches of any query). */
  readonly matches: Uint32Array;
  /**
   * Bucket table over the matches' key range: `lo[b]` = matches before bucket b's first
   * key (size: 4 × most matches + 2).
   */
  readonly lo: Int32Array;
  /** Radix sort scratch. */
  readonly scratch: RadixScratch;
  /** before[p]: non-matches ranked after exactly p matches. */
  readonly before: Int32Array;
  /** k nearest, in order: distance keys. */
  readonly kd: Uint32Array;
  /** Match flag of each of the k nearest. */
  readonly km: Uint8Array;
  /** Label of each of the k nearest. */
  readonly kl: Int32Array;
  /** Original row index of each of the k nearest (the last tie-breaker). */
  readonly ko: Int32Array;
  /** Per-query results: precision@1, R-precision, MAP@R, AP, reciprocal rank, kNN filled. */
  readonly out: Float64Array;
}

/** Buffers for queries with at most `maxR` matches (among `_n` rows: no buffer grows with it), and `k` neighbours. */
export function rankState(_n: number, maxR: number, k: number): RankState {
  return {
    matches: new Uint32Array(Math.max(1, maxR)),
    lo: new Int32Array(4 * Math.max(1, maxR) + 2),
    scratch: radixScratch(Math.max(1, maxR)),
    before: new Int32Array(maxR + 1),
    kd: new Uint32Array(k),
    km: new Uint8Array(k),
    kl: new Int32Array(k),
    ko: new Int32Array(k),
    out: new Float64Array(6),
  };
}

/** Whether (e, m, o) comes before the i-th nearest: distance, then tie rule, then index. */
function precedes(s: RankState, i: number, e: number, m: number, o: number, first: number) {
  const d = s.kd[i];
  if (e !== d) return e < d;
  if (m !== s.km[i]) return m === first;
  return o < s.ko[i];
}

/** Inserts (e, m, label, o) into the k nearest; returns the new fill. */
function insert(
  s: RankState,
  filled: number,
  k: number,
  e: number,
  m: number,
  label: number,
  o: number,
  first: number,
): number {
  const { kd, km, kl, ko } = s;
  let i = filled < k ? filled++ : k - 1;
  while (i > 0 && precedes(s, i - 1, e, m, o, first)) {
    kd[i] = kd[i - 1];
    km[i] = km[i - 1];
    kl[i] = kl[i - 1];
    ko[i] = ko[i - 1];
    i--;
  }
  kd[i] = e;
  km[i] = m;
  kl[i] = label;
  ko[i] = o;
  return filled;
}

/**
 * Ranks row `q` of a label-grouped set, whose label occupies rows `[start, end)` (so it has
 * `end − start − 1 ≥ 1` matches), and writes the per-query metrics to `s.out`;
 * `s.kl[0 … s.out[5])` then holds the labels of the nearest neighbours in order.
 * `order[j]` is the original index of grouped row `j`.
 */
export function rankRow(
  row: Uint32Array,
  q: number,
  range: readonly [number, number],
  labels: Int32Array,
  order: Int32Array,
  k: number,
  pessimistic: boolean,
  s: RankState,
): void {
  const n = labels.length, [start, end] = range, r = end - start - 1;
  const { matches, before, kd, out } = s;
  const first = pessimistic ? 0 : 1; // match flag that comes first among equal distances
  const y = labels[q];
  matches.set(row.subarray(start, q), 0);
  matches.set(row.subarray(q + 1, end), q - start);
  let filled = 0;
  for (let j = start; j < end; j++) {
    if (j === q) continue;
    const e = row[j];
    if (
      filled < k || e < kd[k - 1] || (e === kd[k - 1] && precedes(s, k - 1, e, 1, order[j], first))
    ) {
      filled = insert(s, filled, k, e, 1, y, order[j], first);
    }
  }
  sortKeys(matches, r, s.scratch);
  const dMin = matches[0], dMax = matches[r - 1];
  // before[p] counts the non-matches that come after exactly p matches. A non-match's p is
  // found without sorting the non-matches: a table over the matches' key range gives the
  // matches before its bucket, and a short scan the few inside it (O(n + r) a query; the
  // radix sort of every non-match ≤ dMax it replaces was 35 % of a worst-case pass).
  const { lo } = s;
  // bucket b holds keys [dMin + b·width, dMin + (b + 1)·width): integers, so exact
  const width = Math.max(1, Math.ceil((dMax - dMin + 1) / (4 * r)));
  const buckets = Math.floor((dMax - dMin) / width) + 1;
  for (let b = 0, m = 0; b < buckets; b++) {
    const from = dMin + b * width;
    while (m < r && matches[m] < from) m++;
    lo[b] = m;
  }
  before.fill(0, 0, r + 1);
  for (let part = 0; part < 2; part++) {
    const from = part === 0 ? 0 : end, to = part === 0 ? start : n;
    for (let j = from; j < to; j++) {
      const e = row[j];
      if (
        filled < k || e < kd[k - 1] ||
        (e === kd[k - 1] && precedes(s, k - 1, e, 0, order[j], first))
      ) {
        filled = insert(s, filled, k, e, 0, labels[j], order[j], first);
      }
      if (e > dMax) continue;
      if (e < dMin) {
        before[0]++;
        continue;
      }
      let p = lo[Math.floor((e - dMin) / width)];
      if (pessimistic) { while (p < r && matches[p] < e) p++; // matches strictly nearer first
       } else while (p < r && matches[p] <= e) p++; // tied matches come first too
      before[p]++;
    }
  }
  let ahead = 0, hits = 0, apR = 0, ap = 0, firstRank = 0;
  for (let j = 0; j < r; j++) {
    ahead += before[j];
    const rank = j + 1 + ahead;
    const precision = (j + 1) / rank;
    ap += precision;
    if (rank <= r) {
      hits++;
      apR += precision;
    }
    if (j === 0) firstRank = rank;
  }
  out[0] = firstRank === 1 ? 1 : 0;
  out[1] = hits / r;
  out[2] = apR / r;
  out[3] = ap / r;
  out[4] = 1 / firstRank;
  out[5] = filled;
}
