import process from "node:process";
import { forEachDistanceRow } from "../../lib/metrics/_chunked_knn.ts";
import { rankRow, rankState } from "../../lib/metrics/_rank_row.ts";
import { sortRange } from "../../lib/metrics/_sort.ts";
import { clusteredSet } from "../metrics.ts";
const set = clusteredSet(10000, 32, 10);
const small = { ...set, labels: set.labels.subarray(0, 200), embeddings: set.embeddings.subarray(0, 200 * 32) };
const rows: Float64Array[] = [];
forEachDistanceRow(small, set, "squaredEuclidean", (q, row) => rows.push(row.slice()));
function t(name: string, f: () => unknown) {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  console.log(name, "cpu per 10k rows", ((c.user + c.system) / 1000 * 10).toFixed(0));
}
const st = rankState(10000, 999, 5);
for (let rep = 0; rep < 3; rep++) {
  t("rankRow", () => { for (let q = 0; q < 200; q++) rankRow(rows[q], q, set.labels, 999, 5, true, st); });
  t("loop1 only", () => { for (let q = 0; q < 200; q++) { const row = rows[q]; const y = set.labels[q]; let m = 0, u = 0; for (let j = 0; j < 10000; j++) { if (j === q) continue; if (set.labels[j] === y) st.matches[m++] = row[j]; else st.others[u++] = row[j]; } } });
  t("sort only", () => { for (let q = 0; q < 200; q++) { const row = rows[q]; const y = set.labels[q]; let m = 0; for (let j = 0; j < 10000; j++) { if (j !== q && set.labels[j] === y) st.matches[m++] = row[j]; } sortRange(st.matches, 0, 999); } });
}
