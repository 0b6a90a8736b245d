import { forEachDistanceRow } from "../../lib/metrics/_chunked_knn.ts";
import { clusteredSet } from "../../bench/metrics.ts";
import { sortRange } from "../../lib/metrics/_sort.ts";
const set = clusteredSet(10000, 32, 10);
let t = performance.now(); let s = 0;
forEachDistanceRow(set, set, "euclidean", (q, row) => { s += row[q]; });
console.log("rows only", performance.now() - t);
const buf = new Float64Array(1000);
t = performance.now();
forEachDistanceRow(set, set, "euclidean", (q, row) => {
  let m = 0; const y = set.labels[q];
  for (let j = 0; j < row.length; j++) if (j !== q && set.labels[j] === y) buf[m++] = row[j];
  sortRange(buf, 0, m);
});
console.log("rows+gather+sort", performance.now() - t);
