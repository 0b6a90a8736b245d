import type { Branch } from "../types.ts";

/** Throws unless `branch` is a branch value. */
export function checkBranch(model: string, branch: Branch): Branch {
  if (branch === null || typeof branch !== "object" || branch.kind !== "branch") {
    throw new Error(
      `Cannot build ${model} model as branch must be a branch value: current value is ${
        JSON.stringify(branch)?.slice(0, 60)
      }`,
    );
  }
  return branch;
}
