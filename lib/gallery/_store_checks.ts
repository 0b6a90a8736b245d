import type { StoreEntry } from "./types.ts";
import { checkFinite, checkIdentity, show } from "./_validate.ts";

/**
 * Throws unless an entry has a valid identity and a positive whole number of rows of finite
 * values (of norm at most `MAX_NORM`).
 */
export function checkEntry(entry: StoreEntry, dim: number, action: string): void {
  checkIdentity(entry?.identity, action);
  const data = entry.embeddings;
  if (!(data instanceof Float32Array) || data.length === 0 || data.length % dim !== 0) {
    throw new RangeError(
      `Cannot ${action} ${
        show(entry.identity)
      } as embeddings must be a Float32Array of a positive multiple of ${dim} values: current length is ${
        data instanceof Float32Array ? data.length : "not a Float32Array"
      }`,
    );
  }
  checkFinite(data, dim, "embeddings", `${action} ${show(entry.identity)}`);
}

/** Throws when a store is used after `close()`. */
export function checkOpen(closed: boolean, action: string): void {
  if (closed) throw new Error(`Cannot ${action} as the gallery store is closed`);
}

/** Throws unless `value` is iterable (an array, a Set, a generator…) and not a string. */
export function checkIterable(value: unknown, name: string, action: string): void {
  if (
    value === null || value === undefined || typeof value === "string" ||
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== "function"
  ) {
    throw new TypeError(
      `Cannot ${action} as ${name} must be iterable (an array, for example; not a string): current value is ${
        show(value)
      }`,
    );
  }
}
