/**
 * `pipe` and `flow`: left-to-right composition, the glue of the likeness DSL. They behave as
 * fp-ts's functions of the same names (which a user may use instead).
 *
 * @module
 */

/**
 * Passes a value through functions left to right: `pipe(a, f, g)` is `g(f(a))`.
 *
 * @example
 * ```ts
 * import { pipe } from "./pipe.ts";
 * const double = (n: number) => n * 2;
 * const inc = (n: number) => n + 1;
 * // left to right: (3 + 1) × 2, then (3 × 2) + 1
 * if (pipe(3, inc, double) !== 8) throw new Error("inc, then double");
 * if (pipe(3, double, inc) !== 7) throw new Error("double, then inc");
 * ```
 */
export function pipe<A>(a: A): A;
/** `pipe` through 1 function. */
export function pipe<A, B>(a: A, f1: (x: A) => B): B;
/** `pipe` through 2 functions. */
export function pipe<A, B, C>(a: A, f1: (x: A) => B, f2: (x: B) => C): C;
/** `pipe` through 3 functions. */
export function pipe<A, B, C, D>(a: A, f1: (x: A) => B, f2: (x: B) => C, f3: (x: C) => D): D;
/** `pipe` through 4 functions. */
export function pipe<A, B, C, D, E>(
  a: A,
  f1: (x: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
): E;
/** `pipe` through 5 functions. */
export function pipe<A, B, C, D, E, F>(
  a: A,
  f1: (x: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
): F;
/** `pipe` through 6 functions. */
export function pipe<A, B, C, D, E, F, G>(
  a: A,
  f1: (x: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
): G;
/** `pipe` through 7 functions. */
export function pipe<A, B, C, D, E, F, G, H>(
  a: A,
  f1: (x: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
  f7: (x: G) => H,
): H;
/** `pipe` through 8 functions. */
export function pipe<A, B, C, D, E, F, G, H, I>(
  a: A,
  f1: (x: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
  f7: (x: G) => H,
  f8: (x: H) => I,
): I;
/** `pipe` through 9 functions. */
export function pipe<A, B, C, D, E, F, G, H, I, J>(
  a: A,
  f1: (x: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
  f7: (x: G) => H,
  f8: (x: H) => I,
  f9: (x: I) => J,
): J;
/** `pipe` through 10 functions. */
export function pipe<A, B, C, D, E, F, G, H, I, J, K>(
  a: A,
  f1: (x: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
  f7: (x: G) => H,
  f8: (x: H) => I,
  f9: (x: I) => J,
  f10: (x: J) => K,
): K;
/** `pipe` through 11 functions. */
export function pipe<A, B, C, D, E, F, G, H, I, J, K, L>(
  a: A,
  f1: (x: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
  f7: (x: G) => H,
  f8: (x: H) => I,
  f9: (x: I) => J,
  f10: (x: J) => K,
  f11: (x: K) => L,
): L;
/** `pipe` through 12 functions. */
export function pipe<A, B, C, D, E, F, G, H, I, J, K, L, M>(
  a: A,
  f1: (x: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
  f7: (x: G) => H,
  f8: (x: H) => I,
  f9: (x: I) => J,
  f10: (x: J) => K,
  f11: (x: K) => L,
  f12: (x: L) => M,
): M;
export function pipe(a: unknown, ...fns: ReadonlyArray<(x: unknown) => unknown>): unknown {
  let value = a;
  for (const f of fns) value = f(value);
  return value;
}

/**
 * Composes functions left to right: `flow(f, g)(a)` is `g(f(a))`.
 *
 * @example
 * ```ts
 * import { flow } from "./pipe.ts";
 * const inc = (n: number) => n + 1;
 * const double = (n: number) => n * 2;
 * const f = flow(inc, double); // x ↦ (x + 1) × 2
 * if (f(1) !== 4 || f(5) !== 12) throw new Error("flow");
 * ```
 */
export function flow<A extends ReadonlyArray<unknown>, B>(f1: (...a: A) => B): (...a: A) => B;
/** `flow` of 2 functions. */
export function flow<A extends ReadonlyArray<unknown>, B, C>(
  f1: (...a: A) => B,
  f2: (x: B) => C,
): (...a: A) => C;
/** `flow` of 3 functions. */
export function flow<A extends ReadonlyArray<unknown>, B, C, D>(
  f1: (...a: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
): (...a: A) => D;
/** `flow` of 4 functions. */
export function flow<A extends ReadonlyArray<unknown>, B, C, D, E>(
  f1: (...a: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
): (...a: A) => E;
/** `flow` of 5 functions. */
export function flow<A extends ReadonlyArray<unknown>, B, C, D, E, F>(
  f1: (...a: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
): (...a: A) => F;
/** `flow` of 6 functions. */
export function flow<A extends ReadonlyArray<unknown>, B, C, D, E, F, G>(
  f1: (...a: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
): (...a: A) => G;
/** `flow` of 7 functions. */
export function flow<A extends ReadonlyArray<unknown>, B, C, D, E, F, G, H>(
  f1: (...a: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
  f7: (x: G) => H,
): (...a: A) => H;
/** `flow` of 8 functions. */
export function flow<A extends ReadonlyArray<unknown>, B, C, D, E, F, G, H, I>(
  f1: (...a: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
  f7: (x: G) => H,
  f8: (x: H) => I,
): (...a: A) => I;
/** `flow` of 9 functions. */
export function flow<A extends ReadonlyArray<unknown>, B, C, D, E, F, G, H, I, J>(
  f1: (...a: A) => B,
  f2: (x: B) => C,
  f3: (x: C) => D,
  f4: (x: D) => E,
  f5: (x: E) => F,
  f6: (x: F) => G,
  f7: (x: G) => H,
  f8: (x: H) => I,
  f9: (x: I) => J,
): (...a: A) => J;
export function flow(
  first: (...a: ReadonlyArray<unknown>) => unknown,
  ...rest: ReadonlyArray<(x: unknown) => unknown>
): (...a: ReadonlyArray<unknown>) => unknown {
  return (...a) => rest.reduce((value, f) => f(value), first(...a));
}
