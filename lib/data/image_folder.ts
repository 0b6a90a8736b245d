import { join } from "./_fs.ts";
import { checkClasses, checkImages, fsError, hasImageExtension } from "./_image_files.ts";
import { DataFileError } from "./errors.ts";
import {
  type ImageDataset,
  imageDataset,
  type ImageDatasetOptions,
  type ImageSourceOptions,
} from "./image_dataset.ts";

/**
 * A lazy {@linkcode ImageDataset} from a folder with one sub-folder per class (the
 * torchvision `ImageFolder` / Keras `image_dataset_from_directory` layout):
 *
 * ```text
 * dir/
 *   cats/ 001.jpg 002.png …
 *   dogs/ 001.jpg …
 * ```
 *
 * Class names are the sub-folder names in code-point order, labels their positions. Files
 * ending in `.jpg`, `.jpeg` or `.png` (any case) are the images, in code-point order; names
 * starting with "." are skipped, as are files at the top level; sub-folders of a class folder
 * are searched too (their images belong to that class). Any other file in a class folder
 * throws {@linkcode DataFileError} naming it; so does a file whose first bytes are not a JPEG or
 * PNG header (checked when the folder is opened, see `check`); so does an empty class or a folder with
 * fewer than 2 classes (naming the class). A missing `dir` throws
 * {@linkcode DataNotFoundError}. Pixels are decoded only when loaded (see
 * {@linkcode ImageDatasetOptions} for size, channels, interpolation and the cache).
 *
 * @param dir The folder.
 * @param options Size, channels and cache limit.
 * @returns The dataset.
 *
 * @example
 * ```ts
 * import { encode } from "@jsquash/png";
 * import { imageFolder } from "./image_folder.ts";
 * const dir = await Deno.makeTempDir();
 * const red = { data: new Uint8ClampedArray([255, 0, 0, 255]), width: 1, height: 1 } as ImageData;
 * for (const c of ["b", "a"]) {
 *   await Deno.mkdir(`${dir}/${c}`);
 *   await Deno.writeFile(`${dir}/${c}/1.png`, new Uint8Array(await encode(red)));
 * }
 * const d = await imageFolder(dir, { size: 2 });
 * const [px] = await d.load([1]);
 * if (d.classNames.join() !== "a,b" || d.labels.join() !== "0,1") throw new Error("classes");
 * if (d.shape.join() !== "2,2,3" || px.join() !== "1,0,0,1,0,0,1,0,0,1,0,0") throw new Error(`${px}`);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function imageFolder(
  dir: string,
  options: ImageDatasetOptions & ImageSourceOptions,
): Promise<ImageDataset> {
  const doing = `load image folder ${dir}`;
  if (typeof dir !== "string" || dir === "") {
    throw new TypeError(
      `Cannot load image folder as dir must be a non-empty string: current dir is ${dir}`,
    );
  }
  const entries = async (path: string): Promise<Deno.DirEntry[]> => {
    try {
      const out: Deno.DirEntry[] = [];
      for await (const e of Deno.readDir(path)) if (!e.name.startsWith(".")) out.push(e);
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (e) {
      throw fsError(e, path, doing);
    }
  };
  const classNames: string[] = [];
  const counts: number[] = [];
  const files: string[] = [];
  const labels: number[] = [];
  for (const c of await entries(dir)) {
    if (!c.isDirectory) continue;
    const label = classNames.length;
    classNames.push(c.name);
    let n = 0;
    const walk = async (folder: string): Promise<void> => {
      for (const f of await entries(folder)) {
        const path = join(folder, f.name);
        if (f.isDirectory) {
          await walk(path);
          continue;
        }
        if (!hasImageExtension(f.name)) {
          throw new DataFileError(
            `Cannot ${doing} as ${path} is not a JPEG or PNG file (its name does not end in .jpg, .jpeg or .png)`,
            path,
            "corrupt",
          );
        }
        files.push(path);
        labels.push(label);
        n++;
      }
    };
    await walk(join(dir, c.name));
    counts.push(n);
  }
  checkClasses(doing, dir, classNames, counts);
  const dataset = imageDataset({ files, labels, classNames }, options);
  await checkImages(dataset, options.check ?? "header");
  return dataset;
}
