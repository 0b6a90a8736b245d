import type { GalleryDistance } from "./types.ts";

/** The exact distance between two rows, accumulated in float64. */
export function rowDistance(
  distance: GalleryDistance,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): number {
  let acc = 0;
  switch (distance) {
    case "euclidean":
    case "squaredEuclidean":
      for (let t = 0; t < a.length; t++) acc += (a[t] - b[t]) * (a[t] - b[t]);
      return distance === "euclidean" ? Math.sqrt(acc) : acc;
    case "manhattan":
      for (let t = 0; t < a.length; t++) acc += Math.abs(a[t] - b[t]);
      return acc;
    case "cosine": {
      let na = 0, nb = 0;
      for (let t = 0; t < a.length; t++) {
        acc += a[t] * b[t];
        na += a[t] * a[t];
        nb += b[t] * b[t];
      }
      if (na === 0 || nb === 0) return 1;
      return Math.min(2, Math.max(0, 1 - acc / Math.sqrt(na * nb)));
    }
  }
}

/** Distance names, for validation. */
export const distanceNames: readonly GalleryDistance[] = [
  "euclidean",
  "squaredEuclidean",
  "cosine",
  "manhattan",
];
