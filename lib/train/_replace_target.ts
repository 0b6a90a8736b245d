import {
  discardDir,
  join,
  recoverDir,
  replaceDir,
  type ReplaceMode,
  splitPath,
  stripTrailingSeparators,
  tempPathFor,
} from "./_fs.ts";

/**
 * The kind of folder a writer publishes (a saved model, an export): what its messages call it
 * and how to recognise one. Every error message of {@linkcode publishFolder} is built from
 * these words, so each writer keeps its own wording.
 */
export interface FolderKind {
  /** The action, after "Cannot ": e.g. `"save model"`. */
  readonly action: string;
  /** The writer's public name: e.g. `"saveModel"`. */
  readonly writer: string;
  /** What the folder holds: e.g. `"likeness model"` (messages add "folder" where they need). */
  readonly noun: string;
  /** Why an unrecognised folder is not one, in the parentheses of its refusal. */
  readonly notRecognised: string;
  /** Whether `dir` is a complete folder of this kind (the writer's marker written last). */
  readonly isComplete: (dir: string) => Promise<boolean>;
  /** The only entries such a folder holds. */
  readonly entries: readonly string[];
  /** Sub-folders among `entries` and the only entries each holds, e.g. `{ head: [...] }`. */
  readonly subEntries?: Readonly<Record<string, readonly string[]>>;
  /** A kind that is never replaced, checked before `isComplete`, and the reason given. */
  readonly refuseOther?: {
    readonly isComplete: (dir: string) => Promise<boolean>;
    readonly reason: string;
  };
}

/** Checks what is at `target`; says how it may be replaced, or throws naming `dir`. */
async function inspectTarget(
  target: string,
  dir: string,
  kind: FolderKind,
  overwrite: boolean,
): Promise<ReplaceMode> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(target);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "absent";
    throw error;
  }
  const refuse = (what: string) =>
    new Error(
      `Cannot ${kind.action} as ${dir} ${what}: ${kind.writer} only replaces a ${kind.noun} folder; choose a new path or move it away`,
    );
  if (info.isSymlink) throw refuse("is a symbolic link");
  if (!info.isDirectory) throw refuse(`exists and is a file, not a ${kind.noun} folder`);
  const names: string[] = [];
  for await (const entry of Deno.readDir(target)) names.push(entry.name);
  if (names.length === 0) return "empty";
  if (kind.refuseOther && await kind.refuseOther.isComplete(target)) {
    throw refuse(kind.refuseOther.reason);
  }
  if (!(await kind.isComplete(target))) {
    throw refuse(`exists and is not a ${kind.noun} folder (${kind.notRecognised})`);
  }
  const foreign = names.filter((name) => !kind.entries.includes(name));
  for (const [sub, allowed] of Object.entries(kind.subEntries ?? {})) {
    if (!names.includes(sub)) continue;
    // a file (or link) where the sub-folder belongs is not ours either
    const info = await Deno.lstat(join(target, sub));
    if (!info.isDirectory) {
      foreign.push(`${sub} (not a folder)`);
      continue;
    }
    for await (const entry of Deno.readDir(join(target, sub))) {
      if (!allowed.includes(entry.name)) foreign.push(`${sub}/${entry.name}`);
    }
  }
  if (foreign.length > 0) {
    throw refuse(
      `holds a ${kind.noun} and files ${kind.writer} did not write (${
        foreign.slice(0, 5).join(", ")
      }${foreign.length > 5 ? ", …" : ""})`,
    );
  }
  if (!overwrite) {
    throw new Error(
      `Cannot ${kind.action} as ${dir} already holds a ${kind.noun}: pass { overwrite: true } to replace it`,
    );
  }
  return "replace";
}

/**
 * Writes a folder of `kind` at `dir` atomically: finishes or undoes what an interrupted write
 * left ({@linkcode recoverDir}), decides whether `dir` may be written (missing, empty, or a
 * folder of `kind` holding only its entries when `overwrite`; anything else refused with an
 * error naming `dir`), lets `fill` write into a temp folder beside it (its marker last), then
 * publishes it with {@linkcode replaceDir}. A kill at any point leaves the old folder or the
 * new one.
 */
export async function publishFolder(
  dir: string,
  kind: FolderKind,
  overwrite: boolean,
  fill: (temp: string) => Promise<void>,
): Promise<void> {
  const target = stripTrailingSeparators(dir);
  await Deno.mkdir(splitPath(target).parent, { recursive: true });
  await recoverDir(target, kind.isComplete, { removeTemps: true, waitMs: 20 });
  const mode = await inspectTarget(target, dir, kind, overwrite);
  const temp = tempPathFor(target);
  await Deno.mkdir(temp);
  try {
    await fill(temp);
    await replaceDir(temp, target, mode);
  } catch (error) {
    await discardDir(temp, target).catch(() => {});
    throw error;
  }
}
