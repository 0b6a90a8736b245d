/**
 * The per-query work of the retrieval metrics: from one row of distances, the 1-based
 * ranks of the query's matches (through counts, without sorting the whole row) and its k
 * nearest neighbours.
 *
 * @module
 */
import { sortRange } from "./_sort.ts";

/** Reusable buffers, sized once for a whole pass. */
export interface RankState {
  /** Match distances (size: most matches of any query). */
  readonly matches: Float64Array;
  /** Non-match distances (size: rows). */
  readonly others: Float64Array;
  /** before[p]: non-matches ranked after exactly p matches. */
  readonly before: Int32Array;
  /** Bucket table over the match distances. */
  readonly table: Int32Array;
  /** k nearest: distances, match flags, labels, sorted by the tie rule. */
  readonly kd: Float64Array;
  /** Match flag of each of the k nearest. */
  readonly km: Uint8Array;
  /** Label of each of the k nearest. */
  readonly kl: Int32Array;
  /** Per-query results: precision@1, R-precision, MAP@R, AP, reciprocal rank, kNN filled. */
  readonly out: Float64Array;
}

/** Buffers for queries with at most `maxR` matches among `n` rows, and `k` neighbours. */
export function rankState(n: number, maxR: number, k: number): RankState {
  return {
    matches: new Float64Array(maxR),
    others: new Float64Array(n),
    before: new Int32Array(maxR + 1),
    table: new Int32Array(maxR + 1),
    kd: new Float64Array(k),
    km: new Uint8Array(k),
    kl: new Int32Array(k),
    out: new Float64Array(6),
  };
}

/**
 * Ranks row `q` (whose label has `r ≥ 1` other rows) and writes the per-query metrics to
 * `s.out`; `s.kl[0 … s.out[5])` then holds the labels of the nearest neighbours in order.
 */
export function rankRow(
  row: Float32Array,
  q: number,
  labels: Int32Array,
  r: number,
  k: number,
  pessimistic: boolean,
  s: RankState,
): void {
  const n = labels.length, y = labels[q];
  const { matches, others, before, table, kd, km, kl, out } = s;
  // tie flag of the k-th entry that a new entry at the same distance beats
  const beatsFlag = pessimistic ? 1 : 0;
  let m = 0, u = 0, filled = 0;
  for (let j = 0; j < n; j++) {
    if (j === q) continue;
    const e = row[j];
    const match = labels[j] === y;
    if (match) matches[m++] = e;
    else others[u++] = e;
    if (
      filled < k || e < kd[k - 1] ||
      (e === kd[k - 1] && km[k - 1] === beatsFlag && match !== pessimistic)
    ) {
      let i = filled < k ? filled++ : k - 1;
      while (
        i > 0 &&
        (kd[i - 1] > e || (kd[i - 1] === e && km[i - 1] === beatsFlag && match !== pessimistic))
      ) {
        kd[i] = kd[i - 1];
        km[i] = km[i - 1];
        kl[i] = kl[i - 1];
        i--;
      }
      kd[i] = e;
      km[i] = match ? 1 : 0;
      kl[i] = labels[j];
    }
  }
  sortRange(matches, 0, r);
  const dMin = matches[0], dMax = matches[r - 1];
  // table[b] = matches below the edge dMin + b / scale of bucket b (r buckets)
  const scale = dMax > dMin ? r / (dMax - dMin) : 0;
  for (let b = 0, p = 0; b <= r; b++) {
    const edge = scale > 0 ? dMin + b / scale : dMin;
    while (p < r && matches[p] < edge) p++;
    table[b] = p;
  }
  before.fill(0, 0, r + 1);
  for (let j = 0; j < u; j++) {
    const e = others[j];
    if (e > dMax) continue;
    if (e < dMin) {
      before[0]++;
      continue;
    }
    // p = matches ranked before this non-match: those < e (pessimistic) or ≤ e
    // (optimistic), by binary search between the bounds of the neighbouring buckets
    const b = Math.floor((e - dMin) * scale);
    let lo = table[b > 0 ? b - 1 : 0], hi = b + 2 <= r ? table[b + 2] : r;
    if (pessimistic) {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (matches[mid] < e) lo = mid + 1;
        else hi = mid;
      }
    } else {
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (matches[mid] <= e) lo = mid + 1;
        else hi = mid;
      }
    }
    before[lo]++;
  }
  let ahead = 0, hits = 0, apR = 0, ap = 0, first = 0;
  for (let j = 0; j < r; j++) {
    ahead += before[j];
    const rank = j + 1 + ahead;
    const precision = (j + 1) / rank;
    ap += precision;
    if (rank <= r) {
      hits++;
      apR += precision;
    }
    if (j === 0) first = rank;
  }
  out[0] = first === 1 ? 1 : 0;
  out[1] = hits / r;
  out[2] = apR / r;
  out[3] = ap / r;
  out[4] = 1 / first;
  out[5] = filled;
}
