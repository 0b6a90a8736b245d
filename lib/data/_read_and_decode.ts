/** Reads, decodes, converts and resizes one image file. Private to lib/data. */
import { fsError } from "./_image_files.ts";
import { decodeImage } from "./_image_decode.ts";
import { toChannels } from "./_to_channels.ts";
import { resizeImage } from "./resize_image.ts";

/** The `size[0] × size[1] × channels` floats in [0, 1] of the image in `file`. */
export async function readAndDecode(
  file: string,
  size: readonly [number, number],
  channels: 1 | 3,
): Promise<Float32Array> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(file);
  } catch (e) {
    throw fsError(e, file, `load image ${file}`);
  }
  const rgba = await decodeImage(bytes, file);
  return resizeImage(toChannels(rgba, channels), [rgba.height, rgba.width, channels], size);
}
