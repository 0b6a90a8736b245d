/** Deterministic test data: Gaussian-ish clusters without Math.random. */
export function clusters(
  perCluster: number,
  centres: readonly number[][],
  spread: number,
): { values: Float32Array; labels: Int32Array; dim: number } {
  const dim = centres[0].length;
  const n = perCluster * centres.length;
  const values = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  let s = 12345;
  const rnd = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296 - 0.5;
  };
  for (let i = 0; i < n; i++) {
    const c = i % centres.length;
    labels[i] = c;
    for (let d = 0; d < dim; d++) values[i * dim + d] = centres[c][d] + spread * rnd();
  }
  return { values, labels, dim };
}

/** Whether every point's nearest other point (2-D) has its label. */
export function nearestNeighbourAccuracy(points: Float64Array, labels: ArrayLike<number>): number {
  const n = points.length / 2;
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity, bestJ = -1;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = (points[2 * i] - points[2 * j]) ** 2 + (points[2 * i + 1] - points[2 * j + 1]) ** 2;
      if (d < best) [best, bestJ] = [d, j];
    }
    if (labels[bestJ] === labels[i]) ok++;
  }
  return ok / n;
}

/** Share of points closer to their own class centroid than to any other (2-D). */
export function nearestCentroidAccuracy(points: Float64Array, labels: ArrayLike<number>): number {
  const n = points.length / 2;
  const sums = new Map<number, [number, number, number]>();
  for (let i = 0; i < n; i++) {
    const s = sums.get(labels[i]) ?? [0, 0, 0];
    sums.set(labels[i], [s[0] + points[2 * i], s[1] + points[2 * i + 1], s[2] + 1]);
  }
  const centroids = [...sums].map(([label, [x, y, c]]) => ({ label, x: x / c, y: y / c }));
  let ok = 0;
  for (let i = 0; i < n; i++) {
    let best = Infinity, bestLabel = -1;
    for (const c of centroids) {
      const d = Math.hypot(points[2 * i] - c.x, points[2 * i + 1] - c.y);
      if (d < best) [best, bestLabel] = [d, c.label];
    }
    if (bestLabel === labels[i]) ok++;
  }
  return ok / n;
}
