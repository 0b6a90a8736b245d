/**
 * Checks the seeds of a repeated experiment: at least 2 (for an interval), each a safe integer,
 * all distinct; the error names the operation (`what`) and the value.
 *
 * @module
 */

/** Throws a RangeError unless `seeds` holds ≥ 2 distinct safe integers. */
export function checkSeeds(what: string, seeds: readonly number[]): void {
  if (!Array.isArray(seeds) || seeds.length < 2) {
    throw new RangeError(
      `Cannot ${what} as seeds must hold at least 2 seeds for an interval: current value is ${
        JSON.stringify(seeds)
      }`,
    );
  }
  for (const s of seeds) {
    if (!Number.isSafeInteger(s)) {
      throw new RangeError(`Cannot ${what} as every seed must be a safe integer: seed ${s}`);
    }
  }
  if (new Set(seeds).size !== seeds.length) {
    throw new RangeError(
      `Cannot ${what} as seeds must be distinct: current value is ${JSON.stringify(seeds)}`,
    );
  }
}
