// Test helpers for the native backend: skip (visibly) where it cannot run.
import * as tf from "@tensorflow/tfjs";
import { useBackend } from "../../lib/backend/mod.ts";
import { nativeStatus, registerNative } from "../../lib/backend/native/mod.ts";
import { missing } from "../_require.ts";

const status = nativeStatus();

/** Why native tests skip here, or undefined when they run. */
export const skipReason: string | undefined = status.available ? undefined : status.reason;

/** Whether native tests are ignored here (counted as ignored; a failure where required). */
export const nativeMissing: boolean = missing("native", skipReason);

/** Switches to the native backend (registered once, 2 threads). */
export async function useNative(): Promise<void> {
  await useBackend("wasm");
  await registerNative({ threads: 2 });
  await tf.setBackend("native");
}

/** Largest absolute difference of two arrays (Infinity when lengths differ or a NaN). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
