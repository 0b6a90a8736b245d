/**
 * P(|T| < t) for Student's t with `df` (a positive integer) degrees of freedom, exact
 * (Abramowitz & Stegun 26.7.3–4: a finite trigonometric sum).
 */
function twoSidedCdf(t: number, df: number): number {
  const theta = Math.atan(t / Math.sqrt(df));
  const s = Math.sin(theta), c2 = Math.cos(theta) ** 2;
  if (df % 2 === 1) {
    let sum = 0, term = 1;
    if (df > 1) {
      sum = 1;
      for (let k = 3; k <= df - 2; k += 2) {
        term *= ((k - 1) / k) * c2;
        sum += term;
      }
    }
    return (2 / Math.PI) * (theta + (df > 1 ? s * Math.cos(theta) * sum : 0));
  }
  let sum = 1, term = 1;
  for (let k = 2; k <= df - 2; k += 2) {
    term *= ((k - 1) / k) * c2;
    sum += term;
  }
  return s * sum;
}

/**
 * The two-sided Student-t critical value: the `t` with P(|T| < t) = `level` for `df` degrees
 * of freedom (e.g. `df` 4, level 0.95 → 2.776). Exact CDF, solved by bisection to 1e-12.
 *
 * @example
 * ```ts
 * import { studentTCritical } from "./student_t.ts";
 * if (Math.abs(studentTCritical(4) - 2.7764) > 1e-4) throw new Error("t(0.975, 4)");
 * if (Math.abs(studentTCritical(1) - 12.7062) > 1e-4) throw new Error("t(0.975, 1)");
 * ```
 */
export function studentTCritical(df: number, level = 0.95): number {
  if (!Number.isInteger(df) || df < 1) {
    throw new RangeError(
      `Cannot compute a t critical value as df must be an integer ≥ 1: current value is ${df}`,
    );
  }
  if (!(level > 0 && level < 1)) {
    throw new RangeError(
      `Cannot compute a t critical value as level must be in (0, 1): current value is ${level}`,
    );
  }
  let lo = 0, hi = 1;
  while (twoSidedCdf(hi, df) < level) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (twoSidedCdf(mid, df) < level) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}
