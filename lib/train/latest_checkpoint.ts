import { listCheckpointDirs } from "./_checkpoint.ts";

/**
 * The path of the newest checkpoint (highest step) in `dir`, or `undefined` when there is
 * none (or `dir` does not exist). It does not verify the checkpoint: `loadCheckpoint` does.
 *
 * @example
 * ```ts
 * import { latestCheckpoint } from "./latest_checkpoint.ts";
 *
 * const dir = await Deno.makeTempDir();
 * await Deno.mkdir(`${dir}/step-000000010`);
 * await Deno.mkdir(`${dir}/step-000000200`);
 * await Deno.mkdir(`${dir}/unrelated`);
 * if (await latestCheckpoint(dir) !== `${dir}/step-000000200`) throw new Error("latest");
 * if (await latestCheckpoint(`${dir}/missing`) !== undefined) throw new Error("missing");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function latestCheckpoint(dir: string): Promise<string | undefined> {
  const all = await listCheckpointDirs(dir);
  return all.at(-1)?.path;
}
