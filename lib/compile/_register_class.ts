import * as tf from "@tensorflow/tfjs";

type Registrable = Parameters<typeof tf.serialization.registerClass>[0];

/**
 * Registers a likeness layer class with `tf.serialization` the first time one is built (not
 * at import: importing likeness registers nothing). A class name already registered (by
 * anyone) is left as it is.
 */
export function registerOnce(cls: { className: string }): void {
  const map = tf.serialization.SerializationMap.getMap().classNameMap as Record<string, unknown>;
  if (map[cls.className] === undefined) {
    tf.serialization.registerClass(cls as unknown as Registrable);
  }
}
