/**
 * Writing a self-contained page (the interactive report, the run comparison) without ever
 * replacing a file that is not one of ours.
 *
 * @module
 */

/** The generator tag every likeness page carries in its `<head>`. */
export const GENERATOR = "likeness/interactive-report";

/** Whether the first bytes of the file at `path` carry a likeness page's generator tag. */
async function isOurPage(path: string): Promise<boolean> {
  const file = await Deno.open(path, { read: true });
  try {
    const buffer = new Uint8Array(2048);
    const n = (await file.read(buffer)) ?? 0;
    const head = new TextDecoder().decode(buffer.subarray(0, n));
    return head.includes(`<meta name="generator" content="likeness/`);
  } finally {
    file.close();
  }
}

/**
 * Writes `html` to `path` with `write` (atomic), refusing to replace a folder, a link or
 * a file that is not a likeness page. Returns `path`.
 */
export async function writeOwnPage(
  what: string,
  path: string,
  html: string,
  write: (path: string, data: string) => Promise<void>,
): Promise<string> {
  if (typeof path !== "string" || path.length === 0) {
    throw new TypeError(
      `Cannot write ${what} as path must be a non-empty string: current value is ${
        JSON.stringify(path) ?? String(path)
      }`,
    );
  }
  const info = await Deno.lstat(path).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  if (info !== undefined) {
    if (!info.isFile) {
      throw new Error(
        `Cannot write ${what} to ${
          JSON.stringify(path)
        } as it is not a file (a folder or a link): refusing to replace it`,
      );
    }
    if (!(await isOurPage(path))) {
      throw new Error(
        `Cannot write ${what} to ${
          JSON.stringify(path)
        } as that file is not a likeness page: refusing to replace it`,
      );
    }
  }
  await write(path, html);
  return path;
}
