/**
 * A decoding worker (node:worker_threads, so it can be unref'd while idle): reads, decodes,
 * converts and resizes one image per message and sends its pixels back (transferred).
 * Private to lib/data.
 */
import { parentPort } from "node:worker_threads";
import { readAndDecode } from "./_read_and_decode.ts";
import { DataFileError, DataNotFoundError } from "./errors.ts";

/** A job: which file, at what size and channels. */
export interface DecodeJob {
  readonly id: number;
  readonly file: string;
  readonly size: readonly [number, number];
  readonly channels: 1 | 3;
}

parentPort!.on("message", async (job: DecodeJob) => {
  try {
    const pixels = await readAndDecode(job.file, job.size, job.channels);
    parentPort!.postMessage({ id: job.id, pixels }, [pixels.buffer as ArrayBuffer]);
  } catch (e) {
    parentPort!.postMessage({
      id: job.id,
      error: {
        kind: e instanceof DataNotFoundError
          ? "notFound"
          : e instanceof DataFileError
          ? "file"
          : "other",
        message: (e as Error)?.message ?? String(e),
        file: (e as DataFileError)?.file,
        reason: (e as DataFileError)?.reason,
      },
    });
  }
});
