import process from "node:process";
import { forEachDistanceRow } from "../../lib/metrics/_chunked_knn.ts";
import { rankRow, rankState } from "../../lib/metrics/_rank_row.ts";
import { retrievalMetrics } from "../../lib/metrics/mod.ts";
import { clusteredSet } from "../metrics.ts";
const set = clusteredSet(10000, 32, 10);
function t(name: string, f: () => unknown) {
  const c0 = process.cpuUsage(); const w0 = performance.now();
  f();
  const c = process.cpuUsage(c0);
  console.log(name, "wall", (performance.now() - w0).toFixed(0), "cpu", ((c.user + c.system) / 1000).toFixed(0));
}
const st = rankState(10000, 999, 5);
for (let rep = 0; rep < 2; rep++) {
t("rows sq", () => forEachDistanceRow(set, set, "squaredEuclidean", () => {}));
t("rows+rank", () => forEachDistanceRow(set, set, "squaredEuclidean", (q, row) => rankRow(row, q, set.labels, 999, 5, true, st)));
t("retrieval eu", () => retrievalMetrics(set));
}
