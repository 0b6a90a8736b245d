import type { LayersModel } from "../types.ts";
import { fingerprintWeights } from "../gallery/fingerprint_weights.ts";

/** `"l2"` when the network's last layer L2-normalises its rows, else `"none"`. */
export function normalisationOf(network: LayersModel): string {
  const last = network.layers.at(-1);
  return last?.getClassName() === "L2Normalize" ? "l2" : "none";
}

/** The SHA-256 fingerprint of a network's weights (what galleries bind to). */
export function fingerprintOf(network: LayersModel): string {
  return fingerprintWeights(network.getWeights().map((w) => w.dataSync() as Float32Array));
}
