import process from "node:process";
import { forEachDistanceRow } from "../../lib/metrics/_chunked_knn.ts";
import { retrievalMetrics } from "../../lib/metrics/mod.ts";
import { clusteredSet } from "../metrics.ts";
const set = clusteredSet(10000, 32, 10);
function t(name: string, f: () => unknown) {
  const c0 = process.cpuUsage(); const w0 = performance.now();
  f();
  const c = process.cpuUsage(c0);
  console.log(name, "wall", (performance.now() - w0).toFixed(0), "cpu", ((c.user + c.system) / 1000).toFixed(0));
}
t("rows sq", () => forEachDistanceRow(set, set, "squaredEuclidean", () => {}));
t("rows manhattan", () => forEachDistanceRow(set, set, "manhattan", () => {}));
t("retrieval eu", () => retrievalMetrics(set));
t("retrieval cos", () => retrievalMetrics(set, { distance: "cosine" }));
