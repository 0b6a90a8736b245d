import * as tf from "@tensorflow/tfjs";
import type { Labelled, Loss, LossContext, Reducer, Tensor, Tensor1D, Triplet } from "../types.ts";
import type { MinedTriplets, Miner, TripletSelection } from "./miner.ts";
import { gatherRows } from "./_gather_rows.ts";
import { pack } from "./_util.ts";
import { cubicSelections, readBackStalls } from "./_device.ts";

/**
 * The triplets of a device selection as index lists: one read-back, the selection (and
 * `rowsFinite`) disposed.
 * With `rowsFinite` (`[n]`, 1 where a row of the batch is finite) it is read in the same
 * read-back for a per-anchor selection, and `finite` says whether every row was.
 */
export function selectionIndices(
  selection: TripletSelection,
  rowsFinite?: Tensor,
): MinedTriplets & { readonly finite: boolean } {
  const a: number[] = [], p: number[] = [], n: number[] = [];
  if (selection.kind === "perAnchor") {
    const parts = [selection.positive, selection.negative, selection.valid];
    const packed = tf.tidy(() =>
      tf.stack([...parts, ...(rowsFinite ? [rowsFinite] : [])].map((t) => tf.cast(t, "int32")))
    );
    tf.dispose([...parts, ...(rowsFinite ? [rowsFinite] : [])]);
    const values = packed.dataSync();
    packed.dispose();
    const rows = values.length / (rowsFinite ? 4 : 3);
    let finite = true;
    for (let i = 0; rowsFinite && i < rows; i++) if (values[3 * rows + i] === 0) finite = false;
    for (let i = 0; i < rows; i++) {
      if (values[2 * rows + i] !== 0) a.push(i), p.push(values[i]), n.push(values[rows + i]);
    }
    return { ...pack(a, p, n), finite };
  }
  const finite = rowsFinite === undefined ||
    tf.tidy(() => tf.all(rowsFinite).dataSync()[0] !== 0);
  rowsFinite?.dispose();
  const cols = selection.mask.shape[1] as number;
  const flags = tf.tidy(() => tf.cast(selection.mask, "bool"));
  selection.mask.dispose();
  const values = flags.dataSync();
  flags.dispose();
  const rows = selection.mask.shape[0] as number;
  for (let i = 0, k = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      for (let m = 0; m < cols; m++, k++) {
        if (values[k] !== 0) a.push(i), p.push(j), n.push(m);
      }
    }
  }
  return { ...pack(a, p, n), finite };
}

/** Options of {@linkcode mined}. */
export interface MinedOptions {
  /** Replaces the triplet loss's reducer (e.g. `losses.meanNonZero` with `batchAll`). */
  readonly reduce?: Reducer;
}

/**
 * Turns a triplet loss into a loss over labelled batches: `miner` picks triplets within each
 * batch, their embeddings are gathered, and `loss` is computed on them (gradients flow through
 * the gathered rows; the choice itself is not differentiated). Compile it with
 * `branches.labelled(branch)` and P×K batches. The miner is given the loss's distance, so a
 * built-in miner without a distance of its own mines with the distance the loss trains with.
 *
 * Built-in miners choose on the device (`miner.device`: tensor ops, then one read-back of
 * the chosen indices) where that pays: always for `batchHard` (one triplet per anchor), and
 * for the `[n, n, n]`-mask miners (`batchAll`, `tripletMarginMiner`) only on GPU backends,
 * where reading the distances back stalls every step; on cpu, wasm and native their host form
 * is faster (bench/miners.ts). Against a cross-batch memory (`context.reference`) only a
 * device form can mine, and a host-only miner is an error.
 *
 * Costs that are not finite (NaN embeddings, values too large for float32 distances) throw,
 * naming the triplet and its rows, instead of reaching the optimiser.
 *
 * A batch with no valid triplet (one class, or K = 1) costs exactly 0 on every backend, with
 * every built-in reducer, and its gradient is 0: the per-item vector is empty, and the sum
 * over no elements is 0 (the zero-size guard of `useBackend` makes wasm, native and webgpu
 * agree with cpu). A custom reducer must keep that rule.
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs";
 * import { tripletMargin } from "../losses/mod.ts";
 * import { batchHard } from "./batch_hard.ts";
 * import { mined } from "./mined.ts";
 * await tf.setBackend("cpu");
 * const loss = mined(batchHard(), tripletMargin({ margin: 1 }));
 * const input = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [0.5], [5], [5.25]]), labels: tf.tensor1d([0, 0, 1, 1], "int32") };
 * // Every anchor's hardest negative is ≥ 4.5 away, its positive ≤ 0.5: all margins met.
 * if (loss.reduce(loss.perItem(input)).dataSync()[0] !== 0) throw new Error("mined");
 * // One class: no triplet at all, and the loss is exactly 0.
 * const one = { kind: "labelled" as const, embeddings: tf.tensor2d([[0], [3]]), labels: tf.tensor1d([1, 1], "int32") };
 * if (!Object.is(loss.reduce(loss.perItem(one)).dataSync()[0], 0)) throw new Error("no triplet");
 * ```
 */
export function mined(
  miner: Miner,
  loss: Loss<Triplet>,
  options: MinedOptions = {},
): Loss<Labelled> {
  if (typeof miner !== "function") {
    throw new Error(
      `Cannot create mined loss as miner must be a function: current value is ${String(miner)}`,
    );
  }
  const reduce = options.reduce ?? loss.reduce;
  return {
    name: `mined ${loss.name}`,
    reduce,
    ...(loss.distance ? { distance: loss.distance } : {}),
    ...(loss.head ? { head: loss.head } : {}),
    ...(loss.parameters ? { parameters: loss.parameters } : {}),
    ...(miner.device === undefined ? {} : { acceptsReference: true }),
    perItem: (input: Labelled, context?: LossContext): Tensor1D => {
      const reference = context?.reference;
      if (reference !== undefined && miner.device === undefined) {
        throw new Error(
          `Cannot compute mined ${loss.name} loss with context.reference (a cross-batch memory) as its miner has no device form: current miner is a host-only function`,
        );
      }
      // the device form when the miner has one: the selection is made with tensor ops and
      // only the chosen indices are read back
      const device = miner.device !== undefined &&
          (reference !== undefined || readBackStalls() || !cubicSelections.has(miner.device))
        ? miner.device
        : undefined;
      let chosen: MinedTriplets & { readonly finite?: boolean } = device === undefined
        ? miner(input, loss.distance)
        : selectionIndices(
          device(input, loss.distance, reference),
          tf.tidy(() => tf.all(tf.isFinite(input.embeddings), 1)),
        );
      // a non-finite row: the host form names it (it throws) — never a silent 0 when no
      // triplet happens to include the row
      if (device !== undefined && chosen.finite === false) {
        chosen = miner(input, loss.distance);
      }
      const { reference: _, ...inner } = context ?? { training: false };
      const perItem = tf.tidy(() => {
        const columns = reference?.embeddings ?? input.embeddings;
        return loss.perItem({
          kind: "triplet",
          anchor: gatherRows(input.embeddings, chosen.anchor),
          positive: gatherRows(columns, chosen.positive),
          negative: gatherRows(columns, chosen.negative),
        }, context === undefined ? undefined : inner);
      });
      // Mining already read the batch; reading the costs too keeps NaN from passing silently.
      const costs = perItem.dataSync();
      const bad = costs.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) {
        const value = costs[bad];
        perItem.dispose();
        throw new Error(
          `Cannot compute mined ${loss.name} loss as triplet ${bad} (rows ${chosen.anchor[bad]}, ` +
            `${chosen.positive[bad]}, ${chosen.negative[bad]}) costs ${value}: embeddings must ` +
            "be finite and small enough for float32 distances",
        );
      }
      return perItem;
    },
  };
}
