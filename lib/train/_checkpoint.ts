/**
 * The checkpoint format shared by saveCheckpoint, loadCheckpoint and fit: a directory
 * `step-<9 digits>/` holding `weights.bin` (embedder, head and optimizer tensors, the loss's
 * parameters with their own optimisers' tensors and its buffers when the loss has some) and
 * `state.json` (step, epoch, the fit loop's state, the weights manifest with its byte length
 * and SHA-256). Directories are written under a temp name and renamed, so a checkpoint either
 * exists whole or not at all.
 *
 * @module
 */
import { exists, join, readJson, sha256 } from "./_fs.ts";
import { manifestBytes, type WeightEntry } from "./_weights.ts";
import type { RandomState } from "./_state.ts";

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
  /**
   * `"layers"`: the embedder's and head's weights are stored layer by layer, whatever is
   * trainable; absent in older checkpoints, which stored tfjs's `getWeights` order (trainable
   * first) and load as before.
   */
  readonly weightOrder?: "layers";
  /** Positions of the per-step random streams (dropout masks); absent in older checkpoints. */
  readonly random?: RandomState;
  /**
   * Adam's running powers β₁ᵗ, β₂ᵗ per optimiser (the program's, then each loss parameter's;
   * null where not Adam), which tfjs's optimiser weights leave out; absent in older checkpoints.
   */
  readonly adamPowers?: ({ accBeta1: number; accBeta2: number } | null)[];
  /**
   * The loss's parameters (groups `loss` and `lossOptimizer` of the manifest): their names in
   * order, and per parameter the weight names of its own optimiser (null when the program's
   * optimiser trains it). Absent when the loss has none.
   */
  readonly loss?: LossCheckpoint;
  readonly state: unknown;
}

/** The loss-state part of state.json. */
export interface LossCheckpoint {
  readonly parameters: readonly string[];
  readonly optimizerNames: readonly (readonly string[] | null)[];
  /**
   * The loss's buffers (group `lossBuffer` of the manifest: a memory queue), their names in
   * order; absent when the loss has none (and in older checkpoints).
   */
  readonly buffers?: readonly string[];
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
  const poisoned = nonFiniteIn(data, weights.manifest);
  if (poisoned !== undefined) throw bad(`${poisoned}: its weights are not finite`);
  return { file: raw as CheckpointFile, data };
}

/**
 * Where the first NaN or infinity of the float32 tensors of an encoded weights buffer is
 * ("embedder/3 holds NaN at index 0 of 288"), or undefined when every value is finite.
 */
export function nonFiniteIn(
  data: Uint8Array,
  manifest: Readonly<Record<string, readonly WeightEntry[]>>,
): string | undefined {
  const bytesPer: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
  let offset = 0;
  for (const entry of Object.values(manifest).flat()) {
    const size = entry.shape.reduce((a, b) => a * b, 1);
    const bytes = size * (bytesPer[entry.dtype] ?? 0);
    if (entry.dtype === "float32") {
      const start = data.byteOffset + offset;
      const values = start % 4 === 0
        ? new Float32Array(data.buffer, start, size)
        : new Float32Array(data.slice(offset, offset + bytes).buffer);
      for (let i = 0; i < size; i++) {
        const v = values[i];
        if (v - v !== 0) return `${entry.name} holds ${v} at index ${i} of ${size}`;
      }
    }
    offset += bytes;
  }
  return undefined;
}

/** Temp names of checkpoint writes and removals: `.step-N.tmp-…`, `.old-step-N.tmp-…`, `.del-step-N.tmp-…`. */
const TEMP = /^\.(old-|del-)?(step-\d+)\.tmp-\d+-\d+-\d+$/;

/** Temp paths of checkpoint writes in progress in this process (never cleaned). */
export const inFlight: Set<string> = new Set();

/**
 * Removes what interrupted checkpoint writes and removals left in `dir` (only names of the
 * forms `saveCheckpoint` writes; writes in progress in this process are left alone). A
 * checkpoint that was being replaced when the process died (`.old-step-N.tmp-…` with no
 * `step-N`) is put back when it verifies. Returns the names removed or restored.
 */
export async function cleanCheckpointDir(dir: string): Promise<string[]> {
  if (!(await exists(dir))) return [];
  const leftovers: { name: string; kind: string; target: string }[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const match = TEMP.exec(entry.name);
    if (match && !inFlight.has(join(dir, entry.name))) {
      leftovers.push({ name: entry.name, kind: match[1] ?? "", target: match[2] });
    }
  }
  const done: string[] = [];
  // Put back replaced checkpoints first, so a half-written replacement never wins.
  for (
    const { name, kind, target } of leftovers.sort((a, b) =>
      a.kind === "old-" ? -1 : b.kind === "old-" ? 1 : 0
    )
  ) {
    const path = join(dir, name);
    if (kind === "old-" && !(await exists(join(dir, target)))) {
      const good = await readCheckpoint(path).then(() => true, () => false);
      if (good) {
        await Deno.rename(path, join(dir, target));
        done.push(name);
        continue;
      }
    }
    await Deno.remove(path, { recursive: true }).catch((error) => {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    });
    done.push(name);
  }
  return done;
}

/** Removes a checkpoint directory atomically: renamed to a temp name first, then deleted. */
export async function removeCheckpointDir(dir: string, path: string, name: string): Promise<void> {
  const trash = join(dir, `.del-${name}.tmp-${Deno.pid}-${Date.now()}-${++removals}`);
  await Deno.rename(path, trash);
  await Deno.remove(trash, { recursive: true });
}
let removals = 0;
