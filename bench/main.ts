/**
 * `deno task bench`: every benchmark of likeness, each in its own process (so that one
 * benchmark's tfjs backend and memory do not colour the next), printed as markdown tables.
 *
 * Usage: `deno task bench [name …]` where a name is one of the sections below
 * (default: all). Each section can also be run alone: `deno run -A bench/<file>.ts`.
 *
 * @module
 */

interface Section {
  /** Name given on the command line. */
  readonly name: string;
  /** Heading printed above the table. */
  readonly title: string;
  /** Script (relative to this folder) and its arguments. */
  readonly args: readonly string[];
}

const sections: readonly Section[] = [
  {
    name: "train",
    title: "Training throughput of the classic network (triplet loss), per backend",
    args: ["train_throughput.ts"],
  },
  {
    name: "native",
    title: "Training throughput of compile + trainStep (the DSL path): native, wasm, PyTorch CPU",
    args: ["native.ts"],
  },
  {
    name: "fit",
    title:
      "Training throughput end to end: compile + fit on sampled Fashion-MNIST triplets, beside PyTorch's loop",
    args: ["fit_throughput.ts"],
  },
  {
    name: "data",
    title: "Data pipeline: decode Fashion-MNIST, index batches to tensors",
    args: ["data_pipeline.ts", "wasm"],
  },
  {
    name: "metrics",
    title: "Retrieval and identification metrics over 10k × 32-d",
    args: ["metrics.ts"],
  },
  {
    name: "evaluate",
    title: "Evaluation: embed 10k images and compute every metric of evaluate, beside PyTorch",
    args: ["evaluate_speed.ts"],
  },
  { name: "gallery", title: "Gallery: identify against 100k templates", args: ["gallery.ts"] },
  {
    name: "images",
    title: "Image decoding (JPEG/PNG) and streaming from a folder",
    args: ["image_decode.ts"],
  },
];

const wanted = Deno.args.length > 0 ? new Set(Deno.args) : undefined;
if (wanted) {
  const known = new Set(sections.map((s) => s.name));
  const unknown = [...wanted].filter((n) => !known.has(n));
  if (unknown.length > 0) {
    console.error(
      `Unknown benchmark ${unknown.join(", ")}: choose from ${[...known].join(", ")}`,
    );
    Deno.exit(2);
  }
}

let failures = 0;
for (const section of sections) {
  if (wanted && !wanted.has(section.name)) continue;
  const script = new URL(section.args[0], import.meta.url);
  try {
    await Deno.stat(script);
  } catch {
    console.log(`\n## ${section.title}\n\n(skipped: ${section.args[0]} is not present)`);
    continue;
  }
  console.log(`\n## ${section.title}\n`);
  const started = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script.pathname, ...section.args.slice(1)],
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const { code } = await child.status;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (code !== 0) {
    failures++;
    console.log(`\n(${section.name} failed with exit code ${code} after ${seconds} s)`);
  } else {
    console.log(`\n(${section.name}: ${seconds} s)`);
  }
}
if (failures > 0) Deno.exit(1);
