import * as tf from "@tensorflow/tfjs";
import { getStock } from "./lib/backend/_composite.ts";
export function restoreStock(k: string) { const f = getStock(k, "wasm"); tf.unregisterKernel(k, "wasm"); if (f) tf.registerKernel({ kernelName: k, backendName: "wasm", kernelFunc: f }); }
