/**
 * The ten Fashion-MNIST class names, indexed by label (0 = "T-shirt/top" … 9 = "Ankle boot").
 *
 * @example
 * ```ts
 * import { fashionMnistClassNames } from "./class_names.ts";
 * if (fashionMnistClassNames[9] !== "Ankle boot") throw new Error("label 9");
 * ```
 */
export const fashionMnistClassNames: readonly string[] = Object.freeze([
  "T-shirt/top",
  "Trouser",
  "Pullover",
  "Dress",
  "Coat",
  "Sandal",
  "Shirt",
  "Sneaker",
  "Bag",
  "Ankle boot",
]);
