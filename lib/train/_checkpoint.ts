/**
 * The checkpoint format shared by saveCheckpoint, loadCheckpoint and fit: a directory
 * `step-<9 digits>/` holding `weights.bin` (embedder, head and optimizer tensors) and
 * `state.json` (step, epoch, the fit loop's state, the weights manifest with its byte length
 * and SHA-256). Directories are written under a temp name and renamed, so a checkpoint either
 * exists whole or not at all.
 *
 * @module
 */
import { exists, join, readJson, sha256 } from "./_fs.ts";
import { manifestBytes, type WeightEntry } from "./_weights.ts";

/** The `format` field of state.json. */
export const CHECKPOINT_FORMAT = "likeness-checkpoint";

/** Parsed state.json. */
export interface CheckpointFile {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: 1;
  readonly step: number;
  readonly epoch: number;
  readonly stepInEpoch: number;
  readonly createdAt: string;
  readonly weights: {
    readonly byteLength: number;
    readonly sha256: string;
    readonly manifest: Record<string, WeightEntry[]>;
  };
  readonly optimizerNames: string[];
  readonly state: unknown;
}

/** `step-000000042` for step 42. */
export function checkpointName(step: number): string {
  return `step-${String(step).padStart(9, "0")}`;
}

/** Checkpoint directories in `dir`, oldest first (by step). Missing dir → []. */
export async function listCheckpointDirs(dir: string): Promise<{ step: number; path: string }[]> {
  if (!(await exists(dir))) return [];
  const found: { step: number; path: string }[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const match = /^step-(\d+)$/.exec(entry.name);
    if (match && entry.isDirectory) {
      found.push({ step: Number(match[1]), path: join(dir, entry.name) });
    }
  }
  return found.sort((a, b) => a.step - b.step);
}

/**
 * Reads and verifies a checkpoint directory without touching any model: state.json parses
 * and has the expected fields, weights.bin has the recorded length and SHA-256.
 */
export async function readCheckpoint(
  path: string,
): Promise<{ file: CheckpointFile; data: Uint8Array }> {
  const statePath = join(path, "state.json");
  const weightsPath = join(path, "weights.bin");
  const raw = await readJson(statePath, "checkpoint") as Partial<CheckpointFile> | null;
  const bad = (why: string) => new Error(`Cannot load checkpoint ${path} as ${why}`);
  if (raw === null || typeof raw !== "object" || raw.format !== CHECKPOINT_FORMAT) {
    throw bad(`state.json is not a likeness checkpoint: format is ${JSON.stringify(raw?.format)}`);
  }
  if (raw.version !== 1) throw bad(`its version ${raw.version} is not supported (expected 1)`);
  for (const field of ["step", "epoch", "stepInEpoch"] as const) {
    const value = raw[field];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw bad(
        `state.json field ${field} must be a non-negative integer: current value is ${
          JSON.stringify(value)
        }`,
      );
    }
  }
  const weights = raw.weights;
  if (!weights || typeof weights.sha256 !== "string" || typeof weights.manifest !== "object") {
    throw bad("state.json has no weights manifest");
  }
  let data: Uint8Array;
  try {
    data = await Deno.readFile(weightsPath);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw bad(`${weightsPath} does not exist`);
    throw error;
  }
  const expected = manifestBytes(weights.manifest);
  if (data.byteLength !== weights.byteLength || data.byteLength !== expected) {
    throw bad(
      `weights.bin is corrupt: it holds ${data.byteLength} bytes but the manifest needs ${expected}`,
    );
  }
  const digest = await sha256(data);
  if (digest !== weights.sha256) {
    throw bad(
      `weights.bin is corrupt: its SHA-256 is ${digest} but ${weights.sha256} was recorded`,
    );
  }
  return { file: raw as CheckpointFile, data };
}
