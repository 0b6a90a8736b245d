/** Host (typed-array) forms of the built-in distances, exact in float64. */

/** `Σ (aₖ − bₖ)²`. */
export function squaredPair(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) {
    const t = a[k] - b[k];
    s += t * t;
  }
  return s;
}

/** `‖a − b‖₂`. */
export const euclideanPair = (a: ArrayLike<number>, b: ArrayLike<number>): number =>
  Math.sqrt(squaredPair(a, b));

/** `Σ |aₖ − bₖ|`. */
export function manhattanPair(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += Math.abs(a[k] - b[k]);
  return s;
}

/** `1 − cos(a, b)` in [0, 2]; 1 when either is a zero vector. */
export function cosinePair(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0, na = 0, nb = 0;
  for (let k = 0; k < a.length; k++) {
    dot += a[k] * b[k];
    na += a[k] * a[k];
    nb += b[k] * b[k];
  }
  const denom = Math.sqrt(na) * Math.sqrt(nb);
  const d = denom > 0 ? 1 - dot / denom : 1;
  return d > 0 ? (d < 2 ? d : 2) : 0;
}

/** `−a·b`. */
export function dotPair(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += a[k] * b[k];
  return s === 0 ? 0 : -s;
}
