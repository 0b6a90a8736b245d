/** The built-in distances' names (a user distance may not take one). */
export const BUILT_IN_NAMES = [
  "euclidean",
  "squaredEuclidean",
  "cosine",
  "manhattan",
  "dot",
] as const;
