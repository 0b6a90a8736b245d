/**
 * A pool of decoding workers (node:worker_threads), started on first use; each is ref'd
 * only while it has jobs, so an idle pool never keeps the process alive. Private to lib/data.
 */
import type { Worker } from "node:worker_threads";
import type { DecodeJob } from "./_decode_worker.ts";
import { DataFileError, type DataFileErrorReason, DataNotFoundError } from "./errors.ts";

interface Reply {
  readonly id: number;
  readonly pixels?: Float32Array;
  readonly error?: {
    kind: string;
    message: string;
    file?: string;
    reason?: DataFileErrorReason;
  };
}

export class DecodePool {
  #workers: { worker: Worker; busy: number }[] | undefined;
  #starting: Promise<void> | undefined;
  #next = 0;
  readonly #waiting = new Map<
    number,
    { resolve: (p: Float32Array) => void; reject: (e: Error) => void; slot: number }
  >();

  /** @param size Number of workers (≥ 1). */
  constructor(readonly size: number) {}

  async #start(): Promise<void> {
    const { Worker } = await import("node:worker_threads");
    this.#workers = Array.from({ length: this.size }, () => {
      const worker = new Worker(new URL("./_decode_worker.ts", import.meta.url));
      worker.unref();
      worker.on("message", (r: Reply) => this.#settle(r));
      worker.on("error", (e: Error) => {
        for (const [id, w] of this.#waiting) {
          this.#waiting.delete(id);
          w.reject(new Error(`Cannot decode image as a decoding worker failed: ${e.message}`));
        }
      });
      return { worker, busy: 0 };
    });
  }

  #settle(r: Reply): void {
    const w = this.#waiting.get(r.id);
    if (!w) return;
    this.#waiting.delete(r.id);
    const slot = this.#workers![w.slot];
    if (--slot.busy === 0) slot.worker.unref();
    if (r.pixels) return w.resolve(r.pixels);
    const e = r.error!;
    w.reject(
      e.kind === "notFound"
        ? new DataNotFoundError(e.message, e.file)
        : e.kind === "file"
        ? new DataFileError(e.message, e.file!, e.reason!)
        : new Error(e.message),
    );
  }

  /** Decodes `file` in the least busy worker. */
  async decode(
    file: string,
    size: readonly [number, number],
    channels: 1 | 3,
  ): Promise<Float32Array> {
    if (!this.#workers) await (this.#starting ??= this.#start());
    const workers = this.#workers!;
    let slot = 0;
    for (let i = 1; i < workers.length; i++) if (workers[i].busy < workers[slot].busy) slot = i;
    const id = this.#next++;
    const job: DecodeJob = { id, file, size, channels };
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject, slot });
      if (workers[slot].busy++ === 0) workers[slot].worker.ref();
      workers[slot].worker.postMessage(job);
    });
  }
}
