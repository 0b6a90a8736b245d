import type { Branch, Stage } from "../types.ts";

/** A function that appends `stage` to a branch. */
export const append = (stage: Stage) => (branch: Branch): Branch => ({
  kind: "branch",
  stages: [...branch.stages, stage],
});
