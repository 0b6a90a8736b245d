/** Helpers shared by imageFolder and imageManifest. Private to lib/data. */
import { isMissingFlag, isOsDenied } from "./_fs.ts";
import { DataFileError, DataNotFoundError } from "./errors.ts";
import { checkHeader } from "./_image_decode.ts";
import type { ImageDataset } from "./image_dataset.ts";

/** File extensions taken as images (lower case). */
export const IMAGE_EXTENSIONS: readonly string[] = [".jpg", ".jpeg", ".png"];

/** Whether `name` ends with an image extension (any case). */
export function hasImageExtension(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_EXTENSIONS.some((e) => lower.endsWith(e));
}

/** Turns a file-system error on `path` into DataNotFoundError / DataFileError. */
export function fsError(e: unknown, path: string, doing: string): Error {
  if (e instanceof Deno.errors.NotFound) {
    return new DataNotFoundError(`Cannot ${doing} as ${path} does not exist`, path, { cause: e });
  }
  if (isMissingFlag(e) || isOsDenied(e)) {
    return new DataFileError(
      `Cannot ${doing} as reading ${path} was denied${
        isMissingFlag(e) ? " (run with --allow-read)" : ""
      }`,
      path,
      "permission",
      { cause: e },
    );
  }
  return new DataFileError(
    `Cannot ${doing} as ${path} cannot be read: ${(e as Error)?.message ?? e}`,
    path,
    "io",
    { cause: e },
  );
}

/** Throws a clear error unless there are ≥ 2 classes, none empty. */
export function checkClasses(
  doing: string,
  where: string,
  classNames: readonly string[],
  counts: readonly number[],
): void {
  const empty = classNames.filter((_, i) => counts[i] === 0);
  if (empty.length > 0) {
    throw new DataFileError(
      `Cannot ${doing} as class ${JSON.stringify(empty[0])} has no images in ${where}${
        empty.length > 1
          ? ` (nor have ${empty.slice(1).map((n) => JSON.stringify(n)).join(", ")})`
          : ""
      }`,
      where,
      "corrupt",
    );
  }
  if (classNames.length < 2) {
    throw new DataFileError(
      `Cannot ${doing} as metric learning needs at least 2 classes: ${where} has ${
        classNames.length === 0 ? "none" : `only class ${JSON.stringify(classNames[0])}`
      }`,
      where,
      "corrupt",
    );
  }
}

/**
 * Checks every image of `dataset` up front: `"header"` reads each file's first bytes (a JPEG or
 * PNG signature, a declared size within the limit), `"decode"` decodes them all (through the
 * dataset, so the cache and workers are used), `"none"` nothing.
 */
export async function checkImages(
  dataset: ImageDataset,
  check: "none" | "header" | "decode",
): Promise<void> {
  if (check === "none") return;
  if (check === "decode") {
    for (let s = 0; s < dataset.size; s += 64) {
      await dataset.load(
        Array.from({ length: Math.min(64, dataset.size - s) }, (_, k) => s + k),
      );
    }
    return;
  }
  if (check !== "header") {
    throw new RangeError(
      `Cannot check images as check must be "none", "header" or "decode": current check is ${
        JSON.stringify(check)
      }`,
    );
  }
  const head = new Uint8Array(4096);
  for (const file of dataset.files) {
    let n = 0;
    try {
      using f = await Deno.open(file);
      while (n < head.length) {
        const got = await f.read(head.subarray(n));
        if (got === null) break;
        n += got;
      }
    } catch (e) {
      throw fsError(e, file, `load image ${file}`);
    }
    checkHeader(head.subarray(0, n), file);
  }
}
