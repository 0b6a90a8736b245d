import type { Loss, LossInput } from "../types.ts";

/** Losses that are the monoid identity. */
export const ZEROS: WeakSet<object> = new WeakSet();

/** Whether `loss` is an identity made by `zero()`. */
export const isZero = <I extends LossInput>(loss: Loss<I>): boolean => ZEROS.has(loss);
