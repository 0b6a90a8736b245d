import type { Dataset } from "../types.ts";
import { fashionMnistClassNames } from "./class_names.ts";
import { makeDataset } from "./make_dataset.ts";
import { type IdxArray, parseIdx, type ReadIdxOptions } from "./parse_idx.ts";
import { readIdx } from "./read_idx.ts";
import { collectIdx } from "./_idx_stream.ts";
import { DataFileError, DataNotFoundError } from "./errors.ts";
import { envVar, isFile, join } from "./_fs.ts";
import { CANONICAL_URL } from "./_checksums.ts";
import { download, type DownloadProgress, stderrProgress, Unreachable } from "./_download.ts";

export type { DownloadProgress } from "./_download.ts";

/**
 * Which part of Fashion-MNIST: 60,000 train, 10,000 test, or the bundled 1,000 sample.
 *
 * @example
 * ```ts
 * import { fashionMnist, type FashionMnistSplit } from "./fashion_mnist.ts";
 * // "sample": the 1,000 test images bundled with likeness, always offline
 * const split: FashionMnistSplit = "sample";
 * const sample = await fashionMnist({ split });
 * if (sample.size !== 1000 || sample.classNames.length !== 10) throw new Error(`${sample.size}`);
 * // any other name is refused, naming it
 * const message = await fashionMnist({ split: "validation" as FashionMnistSplit }).then(() => "", (e) => e.message);
 * if (!message.includes('"validation"')) throw new Error(message);
 * ```
 */
export type FashionMnistSplit = "train" | "test" | "sample";

/**
 * Options of {@linkcode fashionMnist}.
 *
 * @example
 * ```ts
 * import { fashionMnist, type FashionMnistOptions } from "./fashion_mnist.ts";
 * import { DataNotFoundError } from "./errors.ts";
 * // with `dir`, only that folder is searched: the bundled sample folder has the sample split …
 * const bundled: FashionMnistOptions = { split: "sample", dir: new URL("./sample", import.meta.url).pathname };
 * if ((await fashionMnist(bundled)).size !== 1000) throw new Error("sample from dir");
 * // … and an empty folder is an error naming the folder and the files it lacks
 * const empty = await Deno.makeTempDir();
 * const error = await fashionMnist({ split: "test", dir: empty, download: false }).catch((e) => e);
 * await Deno.remove(empty);
 * if (!(error instanceof DataNotFoundError) || !error.message.includes(empty) || !error.message.includes("t10k-images-idx3-ubyte")) throw error;
 * ```
 */
export interface FashionMnistOptions {
  /** `"train"` (60,000), `"test"` (10,000) or `"sample"` (1,000 bundled test images). */
  readonly split: FashionMnistSplit;
  /** A folder holding the IDX files (gzipped or not); when given, only it is searched. */
  readonly dir?: string;
  /** Download into the cache when no copy is found (default true). */
  readonly download?: boolean;
  /**
   * Cache folder, searched and downloaded into. Default: `$LIKENESS_DATA/fashion-mnist` when
   * `LIKENESS_DATA` is set, else `$XDG_CACHE_HOME/likeness/fashion-mnist`, else
   * `~/.cache/likeness/fashion-mnist` (`%LOCALAPPDATA%\likeness\fashion-mnist` on Windows).
   */
  readonly cacheDir?: string;
  /** Where to download from (default: Zalando Research's canonical bucket). */
  readonly baseUrl?: string;
  /** The fetch function (default `globalThis.fetch`); inject one to test or to proxy. */
  readonly fetch?: (url: string) => Promise<Response>;
  /** Download progress callback (default: a line on stderr). */
  readonly onProgress?: (progress: DownloadProgress) => void;
}

const FILES = {
  train: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
  test: ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
  sample: ["sample-images-idx3-ubyte", "sample-labels-idx1-ubyte"],
} as const;

const DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

/** The most images a split has: files declaring more are refused before being read. */
const MAX_IMAGES: Readonly<Record<FashionMnistSplit, number>> = {
  train: 60000,
  test: 10000,
  sample: 1000,
};

/** What the images and labels files of a split must hold, checked on their headers. */
function expected(split: FashionMnistSplit): { images: ReadIdxOptions; labels: ReadIdxOptions } {
  const max = MAX_IMAGES[split];
  return {
    images: { dtype: "uint8", shape: [null, 28, 28], maxBytes: 16 + max * 28 * 28 },
    labels: { dtype: "uint8", shape: [null], maxBytes: 8 + max },
  };
}

/**
 * Loads Fashion-MNIST (Zalando Research, MIT licence) as an in-memory {@linkcode Dataset}:
 * 28 × 28 × 1 grey images scaled to [0, 1], labels 0–9 named by
 * {@linkcode fashionMnistClassNames}.
 *
 * `split: "sample"` reads the 1,000 images bundled with likeness (the first 100 test images
 * of each class): no search, no network. For `"train"` and `"test"` the files
 * (`train-images-idx3-ubyte.gz`, … as published, gzipped or not) are looked for in this
 * order:
 *
 * 1. the `dir` option, if given (and nowhere else);
 * 2. `$LIKENESS_DATA/fashion-mnist`, then `$LIKENESS_DATA` itself (a folder: a
 *    `LIKENESS_DATA` naming a file is a {@linkcode DataFileError});
 * 3. the cache folder (`cacheDir`, by default the user cache, see {@linkcode FashionMnistOptions});
 * 4. `/usr/share/datasets/fashion-mnist` (Debian/Ubuntu package `dataset-fashion-mnist`);
 * 5. unless `download: false`, a download from the canonical source into the cache folder,
 *    with progress on stderr, checked against the published MD5 (or the SHA-256 of the
 *    decompressed data) before an atomic write.
 *
 * When all fail, a {@linkcode DataNotFoundError} lists each way to get the data. Missing
 * `--allow-env`, `--allow-read`, `--allow-net` or `--allow-write` permissions skip the step
 * that needs them and are named in that error.
 *
 * Files that are found but cannot be used throw a {@linkcode DataFileError} naming the file
 * (never a fallback to another copy): unreadable (Deno's flag or the operating system), corrupt
 * or truncated gzip, an IDX header other than uint8 `[n, 28, 28]` images and uint8 `[n]`
 * labels (checked before decompressing; at most 60,000 images for train, 10,000 for test),
 * image and label counts that differ, or a label outside 0–9.
 *
 * @param options The split, and where to look or download.
 * @returns The dataset.
 *
 * @example
 * ```ts
 * import { fashionMnist } from "./fashion_mnist.ts";
 * const sample = await fashionMnist({ split: "sample" });
 * if (sample.size !== 1000 || sample.shape.join() !== "28,28,1") throw new Error("sample");
 * if (sample.classNames[sample.labels[0]] === undefined) throw new Error("class names");
 * ```
 */
export async function fashionMnist(options: FashionMnistOptions): Promise<Dataset> {
  const split = options?.split;
  if (!(split in FILES)) {
    throw new RangeError(
      `Cannot load Fashion-MNIST as split must be "train", "test" or "sample": current split is ${
        JSON.stringify(split)
      }`,
    );
  }
  const [imagesBase, labelsBase] = FILES[split];
  const expect = expected(split);
  if (split === "sample") {
    const here = new URL(`./sample/`, import.meta.url);
    const read = async (base: string, expect: ReadIdxOptions): Promise<Part> => {
      const url = new URL(`${base}.gz`, here);
      if (url.protocol === "file:") {
        return { idx: await readIdx(url, expect), file: decodeURIComponent(url.pathname) };
      }
      const response = await (options.fetch ?? fetch)(url.href);
      if (!response.ok || response.body === null) {
        await response.body?.cancel();
        throw new DataNotFoundError(
          `Cannot read the bundled sample ${url.href}: HTTP ${response.status}`,
          url.href,
        );
      }
      const bytes = await collectIdx(response.body, url.href, expect);
      return { idx: parseIdx(bytes, { name: url.href }), file: url.href };
    };
    return build(
      await read(imagesBase, expect.images),
      await read(labelsBase, expect.labels),
      split,
    );
  }

  const notes: string[] = [];
  const looked: string[] = [];
  const find = async (dir: string): Promise<[string, string] | undefined> => {
    const found: string[] = [];
    for (const base of [imagesBase, labelsBase]) {
      let hit: string | undefined;
      for (const name of [`${base}.gz`, base]) {
        if (await isFile(join(dir, name), notes)) {
          hit = join(dir, name);
          break;
        }
      }
      if (hit === undefined) {
        // Half a copy is worth a word in the "not found" message: it may be a typo.
        if (found.length === 1) notes.push(`${dir} holds ${found[0]} but no ${base}(.gz)`);
        return undefined;
      }
      found.push(hit);
    }
    return [found[0], found[1]];
  };
  const load = async ([images, labels]: [string, string]) =>
    build(
      { idx: await readIdx(images, expect.images), file: images },
      { idx: await readIdx(labels, expect.labels), file: labels },
      split,
    );

  if (options.dir !== undefined) {
    const hit = await find(options.dir);
    if (hit === undefined) {
      throw new DataNotFoundError(
        `Cannot load Fashion-MNIST ${split} from dir ${options.dir}: it must hold ${imagesBase}(.gz) and ${labelsBase}(.gz)${
          notes.length ? ` (${[...new Set(notes)].join("; ")})` : ""
        }`,
      );
    }
    return await load(hit);
  }

  const dataRoot = envVar("LIKENESS_DATA", notes);
  if (dataRoot && (await isNonFolder(dataRoot))) {
    throw new DataFileError(
      `Cannot load Fashion-MNIST ${split} as LIKENESS_DATA must be a folder (holding ${imagesBase}(.gz) and ${labelsBase}(.gz), or a fashion-mnist folder with them): current value ${dataRoot} is a file`,
      dataRoot,
      "io",
    );
  }
  const cacheDir = options.cacheDir ??
    (dataRoot ? join(dataRoot, "fashion-mnist") : userCacheDir(notes));
  const candidates: string[] = [];
  if (dataRoot) candidates.push(join(dataRoot, "fashion-mnist"), dataRoot);
  if (cacheDir !== undefined) candidates.push(cacheDir);
  candidates.push(DEBIAN_DIR);
  for (const dir of [...new Set(candidates)]) {
    looked.push(dir);
    const hit = await find(dir);
    if (hit !== undefined) return await load(hit);
  }

  const baseUrl = options.baseUrl ?? CANONICAL_URL;
  let failure: string;
  if (options.download === false) failure = "download: false was passed";
  else if (cacheDir === undefined) failure = "no cache folder to download into (pass cacheDir)";
  else {
    try {
      const paths = await download([imagesBase, labelsBase], cacheDir, {
        baseUrl,
        fetch: options.fetch ?? ((url: string) => fetch(url)),
        onProgress: options.onProgress ?? stderrProgress,
      });
      return await load([paths[0], paths[1]]);
    } catch (e) {
      if (!(e instanceof Unreachable)) throw e;
      failure = e.message;
    }
  }
  const uniqueNotes = [...new Set(notes)];
  throw new DataNotFoundError(
    [
      `Cannot find Fashion-MNIST ${split} (${imagesBase}.gz, ${labelsBase}.gz).`,
      `Looked in: ${looked.join(", ")}. Not downloaded: ${failure}.`,
      ...(uniqueNotes.length ? [`Notes: ${uniqueNotes.join("; ")}.`] : []),
      "Ways to get the data:",
      `  - pass { dir: "/path" } to a folder holding the files;`,
      `  - set LIKENESS_DATA=/path (files in /path or /path/fashion-mnist) and run with --allow-env;`,
      `  - on Debian/Ubuntu: sudo apt install dataset-fashion-mnist (files in ${DEBIAN_DIR});`,
      `  - allow the download from ${baseUrl} (--allow-net --allow-write --allow-env, download: true) into ${
        cacheDir ?? "the cache folder"
      };`,
      `  - or use { split: "sample" }: the 1,000 images bundled with likeness, offline.`,
    ].join("\n"),
  );
}

/** Whether `path` exists and is not a folder (unknown, e.g. without permission: false). */
async function isNonFolder(path: string): Promise<boolean> {
  try {
    return !(await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

function userCacheDir(notes: string[]): string | undefined {
  const xdg = envVar("XDG_CACHE_HOME", notes);
  if (xdg) return join(xdg, "likeness", "fashion-mnist");
  if (Deno.build.os === "windows") {
    const local = envVar("LOCALAPPDATA", notes);
    if (local) return join(local, "likeness", "fashion-mnist");
  }
  const home = envVar("HOME", notes) ?? envVar("USERPROFILE", notes);
  if (!home) return undefined;
  return Deno.build.os === "darwin"
    ? join(home, "Library", "Caches", "likeness", "fashion-mnist")
    : join(home, ".cache", "likeness", "fashion-mnist");
}

/** A decoded file and its name. */
interface Part {
  readonly idx: IdxArray;
  readonly file: string;
}

/** The dataset of checked images and labels (their types and shapes were checked on reading). */
function build(images: Part, labels: Part, split: string): Dataset {
  const count = images.idx.shape[0];
  if (labels.idx.shape[0] !== count) {
    throw new DataFileError(
      `Cannot load Fashion-MNIST ${split}: ${images.file} holds ${count} images but ${labels.file} holds ${
        labels.idx.shape[0]
      } labels`,
      labels.file,
      "corrupt",
    );
  }
  const values = labels.idx.data;
  const classes = fashionMnistClassNames.length;
  for (let i = 0; i < values.length; i++) {
    if (values[i] >= classes) {
      throw new DataFileError(
        `Cannot load Fashion-MNIST ${split}: ${labels.file} has labels[${i}] = ${
          values[i]
        }, labels must be in [0, ${classes})`,
        labels.file,
        "corrupt",
      );
    }
  }
  return makeDataset({
    images: images.idx.data as Uint8Array,
    labels: values as Uint8Array,
    shape: [28, 28, 1],
    classNames: fashionMnistClassNames,
  });
}
