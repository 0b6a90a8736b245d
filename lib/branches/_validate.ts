/** Throws unless `value` is a positive integer. */
export function positiveInteger(what: string, argument: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `Cannot create ${what} as ${argument} must be a positive integer: current value is ${value}`,
    );
  }
  return value;
}

/** Throws unless `value` is a finite number ≥ 0 and < `below`; -0 is returned as 0 (JSON-stable). */
export function fraction(what: string, argument: string, value: number, below = 1): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value >= below) {
    throw new Error(
      `Cannot create ${what} as ${argument} must be in [0, ${below}): current value is ${value}`,
    );
  }
  return value === 0 ? 0 : value;
}

/** Throws unless `value` is a finite number > 0. */
export function positive(what: string, argument: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`Cannot create ${what} as ${argument} must be > 0: current value is ${value}`);
  }
  return value;
}

const ACTIVATIONS = new Set([
  "linear",
  "relu",
  "relu6",
  "elu",
  "selu",
  "tanh",
  "sigmoid",
  "softplus",
  "swish",
]);

/** Throws unless `value` is a known activation name. */
export function activationName<A extends string>(what: string, value: A): A {
  if (!ACTIVATIONS.has(value)) {
    throw new Error(
      `Cannot create ${what} as activation must be one of ${
        [...ACTIVATIONS].join(", ")
      }: current value is ${value}`,
    );
  }
  return value;
}

/**
 * Throws if a backbone's `options` still carry `embeddingSize`: backbones end at their features
 * and the embedding is the stage `embedding(size)` appended after them.
 */
export function noEmbeddingSize(what: string, options: object): void {
  if (options === null || typeof options !== "object") {
    throw new Error(
      `Cannot create ${what} as options must be an object: current value is ${String(options)}`,
    );
  }
  const size = (options as { embeddingSize?: unknown }).embeddingSize;
  if (size !== undefined) {
    throw new Error(
      `Cannot create ${what} as embeddingSize is not one of its options (backbones end at their features): append branches.embedding(${
        String(size)
      }) after it instead: current value is ${String(size)}`,
    );
  }
}

/** Throws unless `value` is an array of positive integers; returns it. */
export function positiveIntegers(
  what: string,
  argument: string,
  value: unknown,
): readonly number[] {
  if (!Array.isArray(value)) {
    throw new Error(
      `Cannot create ${what} as ${argument} must be an array of positive integers: current value is ${
        JSON.stringify(value) ?? String(value)
      }`,
    );
  }
  for (const v of value) positiveInteger(what, argument, v);
  return value;
}

/** Throws unless `value` is undefined or a boolean; returns it or `fallback`. */
export function flag(what: string, argument: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    throw new Error(
      `Cannot create ${what} as ${argument} must be true or false: current value is ${
        String(value)
      }`,
    );
  }
  return value;
}
