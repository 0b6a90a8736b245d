// Loop oracles (plain numbers, no tensors) of the losses with learned parameters, written from
// their papers' formulas as pytorch-metric-learning states them.
import { type Batch, cos, logSumExp, type Rows } from "./_oracle.ts";

export const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
export const mean = (xs: number[]) => xs.length === 0 ? 0 : sum(xs) / xs.length;
/** Softmax cross-entropy of one row of logits with target `y`. */
const ce = (logits: number[], y: number) => logSumExp(logits, false) - logits[y];
const cosTo = (e: number[], rows: Rows) => rows.map((w) => cos(e, w));

/** Deng et al. 2019: the target angle θ gets + m (pml: cos θ − m·sin m once θ > π − m). */
export function arcTarget(c: number, m: number): number {
  const theta = Math.acos(Math.min(1, Math.max(-1, c)));
  return theta <= Math.PI - m ? Math.cos(theta + m) : Math.cos(theta) - m * Math.sin(m);
}

export function arcFaceOracle(
  b: Batch,
  w: Rows,
  { margin = 28.6, scale = 64, k = 1 } = {},
): number {
  const m = (margin * Math.PI) / 180;
  return mean(b.rows.map((e, i) => {
    const all = cosTo(e, w);
    // a class's cosine is its best sub-centre's (k = 1: its one row)
    const perClass = Array.from(
      { length: all.length / k },
      (_, c) => Math.max(...all.slice(c * k, (c + 1) * k)),
    );
    const logits = perClass.map((v, c) => scale * (c === b.labels[i] ? arcTarget(v, m) : v));
    return ce(logits, b.labels[i]);
  }));
}

export function cosFaceOracle(b: Batch, w: Rows, { margin = 0.35, scale = 64 } = {}): number {
  return mean(b.rows.map((e, i) => {
    const logits = cosTo(e, w).map((v, c) => scale * (v - (c === b.labels[i] ? margin : 0)));
    return ce(logits, b.labels[i]);
  }));
}

/** Kim et al. 2020, eq. 4. */
export function proxyAnchorOracle(b: Batch, p: Rows, { margin = 0.1, alpha = 32 } = {}): number {
  const present = new Set(b.labels);
  let pos = 0, neg = 0;
  p.forEach((proxy, c) => {
    const s = b.rows.map((e) => cos(e, proxy));
    pos += logSumExp(s.flatMap((v, i) => b.labels[i] === c ? [-alpha * (v - margin)] : []), true);
    neg += logSumExp(s.flatMap((v, i) => b.labels[i] !== c ? [alpha * (v + margin)] : []), true);
  });
  return present.size === 0 ? neg / p.length : pos / present.size + neg / p.length;
}

/** Movshovitz-Attias et al. 2017 with pml's squared distance of normalised vectors. */
export function proxyNcaOracle(b: Batch, p: Rows, { softmaxScale = 1 } = {}): number {
  const unit = (v: number[]) => {
    const n = Math.max(Math.hypot(...v), 1e-12);
    return v.map((x) => x / n);
  };
  return mean(b.rows.map((e, i) => {
    const logits = p.map((q) => {
      const [u, v] = [unit(e), unit(q)];
      return -softmaxScale * sum(u.map((x, k) => (x - v[k]) ** 2));
    });
    return ce(logits, b.labels[i]);
  }));
}

/** Qian et al. 2019, eqs. 6–8 (without the centre regulariser, as pml). */
export function softTripleOracle(
  b: Batch,
  w: Rows,
  { k = 10, la = 20, gamma = 0.1, margin = 0.01 } = {},
): number {
  return mean(b.rows.map((e, i) => {
    const s = cosTo(e, w);
    const logits = Array.from({ length: s.length / k }, (_, c) => {
      const mine = s.slice(c * k, (c + 1) * k);
      const z = logSumExp(mine.map((v) => v / gamma), false);
      const S = sum(mine.map((v) => Math.exp(v / gamma - z) * v));
      return la * (S - (c === b.labels[i] ? margin : 0));
    });
    return ce(logits, b.labels[i]);
  }));
}
