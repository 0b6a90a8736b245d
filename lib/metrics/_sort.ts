/**
 * In-place ascending sort of a Float64Array range (quicksort with median-of-three and
 * insertion sort for short ranges), faster than the built-in typed-array sort for the
 * short arrays the ranking metrics sort once per query.
 *
 * @module
 */

/** Sorts `a[lo, hi)` ascending in place. Values must not be NaN. */
export function sortRange(a: Float64Array, lo: number, hi: number): void {
  while (hi - lo > 16) {
    const mid = (lo + hi) >>> 1;
    let x = a[lo], y = a[mid], z = a[hi - 1];
    if (x > y) [x, y] = [y, x];
    if (y > z) [y, z] = [z, y];
    if (x > y) [x, y] = [y, x];
    const pivot = y;
    let i = lo, j = hi - 1;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    }
    // recurse into the smaller part, loop on the larger one
    if (j + 1 - lo < hi - i) {
      sortRange(a, lo, j + 1);
      lo = i;
    } else {
      sortRange(a, i, hi);
      hi = j + 1;
    }
  }
  for (let i = lo + 1; i < hi; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= lo && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}
