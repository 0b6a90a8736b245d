// Loop oracles (plain float64 numbers, no tensors) of the losses added with issue #14, each
// written from its paper's formula with pytorch-metric-learning's choices where the paper
// leaves one open. Shared by their tests and tests/fuzz/losses_pml_fuzz_test.ts.
import { type Batch, logSumExp, partners } from "./_oracle.ts";

export const dotOf = (a: number[], b: number[]) => a.reduce((s, v, k) => s + v * b[k], 0);
export const sq = (a: number[], b: number[]) => a.reduce((s, v, k) => s + (v - b[k]) ** 2, 0);
export const l2 = (a: number[], b: number[]) => Math.sqrt(sq(a, b));
const unit = (a: number[]) => {
  const n = Math.max(Math.hypot(...a), 1e-12);
  return a.map((v) => v / n);
};

export function nPairsOracle(b: Batch, f: (a: number[], c: number[]) => number = dotOf): number {
  const firstTwo = new Map<number, number[]>();
  b.labels.forEach((l, i) => firstTwo.set(l, [...(firstTwo.get(l) ?? []), i].slice(0, 2)));
  const chosen = [...firstTwo.values()].filter((m) => m.length === 2);
  if (chosen.length === 0) return 0;
  const costs = chosen.map(([a, p]) => {
    // log(1 + Σ_{j ≠ k} exp(f(a, p_j) − f(a, p_k)))
    const own = f(b.rows[a], b.rows[p]);
    const others = chosen.filter(([, q]) => q !== p).map(([, q]) => f(b.rows[a], b.rows[q]));
    const m = Math.max(0, ...others.map((x) => x - own));
    return m + Math.log(Math.exp(-m) + others.reduce((s, x) => s + Math.exp(x - own - m), 0));
  });
  return costs.reduce((s, c) => s + c, 0) / costs.length;
}

export function triplets(b: Batch): [number, number, number][] {
  const out: [number, number, number][] = [];
  b.labels.forEach((l, a) =>
    b.labels.forEach((m, p) => {
      if (p === a || m !== l) return;
      b.labels.forEach((o, n) => o !== l && out.push([a, p, n]));
    })
  );
  return out;
}

export function marginOracle(
  b: Batch,
  { margin = 0.2, beta = 1.2, dist = l2 } = {},
  chosen = triplets(b),
): number {
  const terms = chosen.flatMap(([a, p, n]) => [
    Math.max(0, dist(b.rows[a], b.rows[p]) - beta + margin),
    Math.max(0, beta - dist(b.rows[a], b.rows[n]) + margin),
  ]);
  const positive = terms.filter((t) => t > 0);
  return positive.length === 0 ? 0 : positive.reduce((s, t) => s + t, 0) / positive.length;
}

export function angularOracle(b: Batch, alpha = 40): number {
  const t2 = Math.tan((alpha * Math.PI) / 180) ** 2;
  const costs: number[] = [];
  b.rows.forEach((r, a) => {
    const { pos, neg } = partners(b, a);
    for (const p of pos) {
      const xa = unit(r), xp = unit(b.rows[p]);
      const f = neg.map((n) =>
        4 * t2 * dotOf(xa.map((v, k) => v + xp[k]), b.rows[n]) - 2 * (1 + t2) * dotOf(xa, xp)
      );
      costs.push(neg.length === 0 ? 0 : logSumExp(f, true));
    }
  });
  return costs.length === 0 ? 0 : costs.reduce((s, c) => s + c, 0) / costs.length;
}

export function fastAPOracle(b: Batch, { bins = 10, top = 4, dist = sq } = {}): number {
  const delta = top / bins;
  const pulse = (d: number, c: number) => Math.max(0, 1 - Math.abs(d - c) / delta);
  let anyBin = false;
  const costs: number[] = [];
  b.rows.forEach((r, i) => {
    const { pos, neg } = partners(b, i);
    if (pos.length === 0) return;
    let ap = 0, cumPos = 0, cumAll = 0;
    for (let k = 0; k <= bins; k++) {
      const c = k * delta;
      const hp = pos.reduce((s, j) => s + pulse(dist(r, b.rows[j]), c), 0);
      const hn = neg.reduce((s, j) => s + pulse(dist(r, b.rows[j]), c), 0);
      cumPos += hp, cumAll += hp + hn;
      if (hp * cumPos > 0 && cumAll > 0) (ap += (hp * cumPos) / cumAll), (anyBin = true);
    }
    costs.push(1 - ap / pos.length);
  });
  if (!anyBin || costs.length === 0) return 0;
  return costs.reduce((s, c) => s + c, 0) / costs.length;
}
