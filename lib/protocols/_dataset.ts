import type { Dataset } from "../types.ts";

/** A dataset's shape checked (images, one label per image), named in errors. */
export function checkDataset(d: Dataset, arg: string, what: string): Dataset {
  if (
    d === null || typeof d !== "object" || !(d.images instanceof Float32Array) ||
    d.labels === undefined || !Number.isInteger(d.size) || d.labels.length !== d.size
  ) {
    throw new TypeError(
      `Cannot ${what} as ${arg} must be a Dataset ({ images, labels, shape, size }) with one label per image: current value is ${
        d === null || typeof d !== "object" ? String(d) : `an object of size ${d.size}`
      }`,
    );
  }
  return d;
}

/**
 * The unseen classes of an open-set protocol checked: one pool (shots and probes drawn from it)
 * or `{ enrol, probes }`; `probes` is undefined for a pool. Errors name the argument.
 */
export function checkUnseen(
  unseen: Dataset | { readonly enrol: Dataset; readonly probes: Dataset } | undefined | null,
  what: string,
): { enrol: Dataset; probes: Dataset | undefined } {
  if (unseen === undefined || unseen === null) {
    throw new TypeError(`Cannot ${what} as unseen is required`);
  }
  if (!("enrol" in unseen)) {
    return { enrol: checkDataset(unseen, "unseen", what), probes: undefined };
  }
  return {
    enrol: checkDataset(unseen.enrol, "unseen.enrol", what),
    probes: checkDataset(unseen.probes, "unseen.probes", what),
  };
}
