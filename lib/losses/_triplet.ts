import type { Triplet } from "../types.ts";
import { checkEmbeddings } from "./_validate.ts";

/** Validates a triplet input. */
export function checkTriplet(what: string, input: Triplet): void {
  checkEmbeddings(what, "anchor", input.anchor);
  const n = input.anchor.shape[0];
  checkEmbeddings(what, "positive", input.positive, n);
  checkEmbeddings(what, "negative", input.negative, n);
}
