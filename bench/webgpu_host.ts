/**
 * Where the host (Deno main thread) time of a webgpu training step goes, at several batch sizes.
 *
 * For each batch size, a child Deno runs the DSL step (`compile({ model: triplet(pipe(vgg({
 * dropout: 0 }), embedding(32), l2Normalize())), loss: tripletMargin({ margin: 1 }), inputShape:
 * [28, 28, 1], seed: 1 })` + `program.trainStep(batch)`, as `bench/native.ts` does) under Deno's
 * CPU profiler (`--cpu-prof`). The timed steps sit between two marker functions, so the parent
 * counts only the samples of those steps. It prints, per batch size:
 *
 * - each step's wall time split into the synchronous `trainStep` call (host: building and
 *   dispatching every kernel) and the wait in `await loss.data()` (GPU work, plus any host work
 *   that runs in callbacks);
 * - the profile's busy (non-idle) main-thread ms per step, and per image;
 * - the top functions by self ms per step, grouped by where they live (tfjs-core, tfjs-layers,
 *   tfjs-backend-webgpu, Deno's WebGPU bindings, likeness, GC), with each one's main callers.
 *
 * Run: `deno run -A bench/webgpu_host.ts [--triplets 8,32,128] [--steps 3] [--warmup 2]
 * [--top 25] [--keep DIR] [--stock-batch-norm]`; `--stock-batch-norm` unregisters likeness's
 * webgpu batch-norm kernels first (the step then uses `tf.moments`, as before they existed). Needs a WebGPU adapter (Mesa's llvmpipe/lavapipe does: Debian's
 * `mesa-vulkan-drivers`). Prints markdown; progress goes to stderr.
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    triplets: { type: "string", default: "8,32,128" },
    steps: { type: "string", default: "3" },
    warmup: { type: "string", default: "2" },
    top: { type: "string", default: "25" },
    keep: { type: "string" },
    "stock-batch-norm": { type: "boolean", default: false },
    child: { type: "boolean", default: false },
  },
});

const positive = (name: string, text: string): number => {
  const v = Number(text);
  if (!Number.isInteger(v) || v < 1) {
    throw new Error(`--${name} must be a positive integer: got '${text}'`);
  }
  return v;
};
const steps = positive("steps", values.steps);
const warmup = Number(values.warmup);
if (!Number.isInteger(warmup) || warmup < 0) {
  throw new Error(`--warmup must be a non-negative integer: got '${values.warmup}'`);
}

/** Busy-waits `ms` inside a function the profile can find by name. */
function likenessMarkStart(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* marker */ }
}
function likenessMarkEnd(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) { /* marker */ }
}

/** One step's timings (ms). */
interface StepTime {
  call: number;
  wait: number;
}

async function child(triplets: number): Promise<void> {
  const tf = await import("@tensorflow/tfjs");
  const { useBackend } = await import("../lib/backend/mod.ts");
  const { compile } = await import("../lib/compile/mod.ts");
  const { pipe } = await import("../lib/pipe.ts");
  const { vgg } = await import("../lib/backbones/mod.ts");
  const { embedding, l2Normalize, triplet } = await import("../lib/branches/mod.ts");
  const { tripletMargin } = await import("../lib/losses/mod.ts");
  const info = await useBackend("webgpu");
  if (values["stock-batch-norm"]) {
    const { batchNormTrainName } = await import("../lib/backend/_fused_kernels.ts");
    tf.unregisterKernel(batchNormTrainName, "webgpu");
  }
  const inputs = [1, 2, 3].map((seed) =>
    tf.randomUniform(
      [triplets, 28, 28, 1],
      0,
      1,
      "float32",
      seed,
    ) as import("@tensorflow/tfjs").Tensor4D
  );
  const program = compile({
    model: triplet(pipe(vgg({ dropout: 0 }), embedding(32), l2Normalize())),
    loss: tripletMargin({ margin: 1 }),
    inputShape: [28, 28, 1],
    seed: 1,
  });
  const batch = {
    kind: "triplet" as const,
    anchor: inputs[0],
    positive: inputs[1],
    negative: inputs[2],
  };
  const one = async (): Promise<StepTime> => {
    const t0 = performance.now();
    const loss = program.trainStep(batch);
    const t1 = performance.now();
    await loss.data();
    const t2 = performance.now();
    loss.dispose();
    return { call: t1 - t0, wait: t2 - t1 };
  };
  for (let i = 0; i < warmup; i++) await one();
  const tensorsBefore = tf.memory().numTensors;
  likenessMarkStart(20);
  const times: StepTime[] = [];
  for (let i = 0; i < steps; i++) times.push(await one());
  likenessMarkEnd(20);
  const leaked = tf.memory().numTensors - tensorsBefore;
  tf.dispose(inputs);
  program.dispose();
  console.log(JSON.stringify({ adapter: info.adapter, times, leaked }));
}

if (values.child) {
  await child(positive("triplets", values.triplets));
  Deno.exit(0);
}

// ---- parent: run children under the profiler and read their profiles ----

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a function lives, from its script url. */
function groupOf(frame: CallFrame): string {
  const u = frame.url;
  const f = frame.functionName;
  if (f === "(idle)" || f === "(program)" || f === "(garbage collector)" || f === "(root)") {
    return f;
  }
  if (u.includes("tfjs-backend-webgpu")) return "tfjs-backend-webgpu";
  if (u.includes("tfjs-layers") || u.includes("tf-layers")) return "tfjs-layers";
  if (u.includes("tfjs-core") || u.includes("tf-core")) return "tfjs-core";
  if (u.includes("@tensorflow")) return "tfjs (other)";
  if (u.includes("webgpu") && (u.startsWith("ext:") || u.startsWith("node:"))) {
    return "deno webgpu";
  }
  if (u.startsWith("ext:") || u.startsWith("node:")) return "deno runtime";
  if (u === "") return "native";
  if (u.includes("/lib/")) return "likeness";
  if (u.includes("/bench/")) return "bench";
  return "other";
}

const label = (frame: CallFrame): string => {
  const file = frame.url.split("/").pop() ?? "";
  const name = frame.functionName === "" ? "(anonymous)" : frame.functionName;
  return file === "" ? name : `${name} ${file}:${frame.lineNumber + 1}`;
};

/** Self ms per function (and per its caller) over the samples between the two markers. */
function summarise(profile: CpuProfile): {
  windowMs: number;
  busyMs: number;
  idleMs: number;
  self: Map<string, { ms: number; group: string; callers: Map<string, number> }>;
  groups: Map<string, number>;
} {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const stackHas = (id: number, name: string): boolean => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      if (byId.get(cur)!.callFrame.functionName === name) return true;
    }
    return false;
  };
  let start = -1;
  let end = profile.samples.length;
  for (let i = 0; i < profile.samples.length; i++) {
    if (stackHas(profile.samples[i], "likenessMarkStart")) start = i;
    if (stackHas(profile.samples[i], "likenessMarkEnd")) {
      end = i;
      break;
    }
  }
  if (start < 0) throw new Error("Cannot read the profile as it has no likenessMarkStart sample");
  const self = new Map<string, { ms: number; group: string; callers: Map<string, number> }>();
  const groups = new Map<string, number>();
  let windowMs = 0;
  let idleMs = 0;
  for (let i = start + 1; i < end; i++) {
    // A sample stands for the interval up to the next one.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    windowMs += ms;
    const node = byId.get(profile.samples[i])!;
    const group = groupOf(node.callFrame);
    if (group === "(idle)") {
      idleMs += ms;
      continue;
    }
    groups.set(group, (groups.get(group) ?? 0) + ms);
    const key = label(node.callFrame);
    const e = self.get(key) ?? { ms: 0, group, callers: new Map<string, number>() };
    e.ms += ms;
    const p = parent.get(node.id);
    const caller = p === undefined ? "" : label(byId.get(p)!.callFrame);
    e.callers.set(caller, (e.callers.get(caller) ?? 0) + ms);
    self.set(key, e);
  }
  return { windowMs, busyMs: windowMs - idleMs, idleMs, self, groups };
}

const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(1) : ms.toFixed(2));

async function profileAt(triplets: number, top: number, keep?: string): Promise<void> {
  const dir = keep ?? await Deno.makeTempDir({ prefix: "webgpu_host_" });
  await Deno.mkdir(dir, { recursive: true });
  const sub = `${dir}/t${triplets}`;
  await Deno.mkdir(sub, { recursive: true });
  console.error(`[webgpu_host] ${triplets} triplets: profiling ${steps} steps in ${sub}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--cpu-prof",
      `--cpu-prof-dir=${sub}`,
      new URL(import.meta.url).pathname,
      "--child",
      "--triplets",
      String(triplets),
      "--steps",
      String(steps),
      "--warmup",
      String(warmup),
      ...(values["stock-batch-norm"] ? ["--stock-batch-norm"] : []),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`child for ${triplets} triplets failed (code ${out.code})`);
  const result = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!) as {
    adapter: string;
    times: StepTime[];
    leaked: number;
  };
  const files = [...Deno.readDirSync(sub)].filter((e) => e.name.endsWith(".cpuprofile"));
  if (files.length !== 1) throw new Error(`expected one .cpuprofile in ${sub}: ${files.length}`);
  const profile = JSON.parse(await Deno.readTextFile(`${sub}/${files[0].name}`)) as CpuProfile;
  if (keep === undefined) await Deno.remove(dir, { recursive: true });
  const s = summarise(profile);
  const images = 3 * triplets;
  const per = (ms: number) => ms / steps;
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const call = med(result.times.map((t) => t.call));
  const wait = med(result.times.map((t) => t.wait));
  console.log(`### ${triplets} triplets (${images} images), adapter ${result.adapter}\n`);
  console.log(
    `step (median of ${steps}): ${fmt(call + wait)} ms = trainStep call ${fmt(call)} ms + ` +
      `await loss.data() ${fmt(wait)} ms; ${(images / ((call + wait) / 1000)).toFixed(1)} ` +
      `images/s; tensors left per ${steps} steps: ${result.leaked}\n`,
  );
  console.log(
    `profile: ${fmt(per(s.windowMs))} ms per step sampled, main thread busy ${
      fmt(per(s.busyMs))
    } ms (${fmt(per(s.busyMs) / images)} ms per image), idle ${fmt(per(s.idleMs))} ms\n`,
  );
  // On a software adapter (llvmpipe) the driver runs the shaders inside queue.submit on this
  // thread: that is GPU work, the rest is host work.
  const submit = s.self.get("submit")?.ms ?? 0;
  const host = s.busyMs - submit;
  console.log(
    `host work outside the driver's submit: ${fmt(per(host))} ms per step, ${
      fmt(per(host) / images)
    } ms per image (submit: ${fmt(per(submit))} ms per step)\n`,
  );
  console.log("| group | self ms/step | share of busy |\n|---|---:|---:|");
  for (const [g, ms] of [...s.groups].sort((a, b) => b[1] - a[1])) {
    console.log(`| ${g} | ${fmt(per(ms))} | ${(100 * ms / s.busyMs).toFixed(1)} % |`);
  }
  console.log(
    "\n| function | group | self ms/step | main callers (ms/step) |\n|---|---|---:|---|",
  );
  for (const [key, e] of [...s.self].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    const callers = [...e.callers].sort((a, b) => b[1] - a[1]).slice(0, 3)
      .map(([c, ms]) => `${c} (${fmt(per(ms))})`).join("; ");
    console.log(`| ${key} | ${e.group} | ${fmt(per(e.ms))} | ${callers} |`);
  }
  console.log("");
}

const list = values.triplets.split(",").filter((t) => t !== "").map((t) => positive("triplets", t));
const top = positive("top", values.top);
console.log(
  `## webgpu host profile: DSL triplet step, ${steps} steps after ${warmup} warm-up` +
    (values["stock-batch-norm"] ? ", tfjs's batch norm (--stock-batch-norm)" : "") + ", " +
    `load average ${Deno.loadavg().map((x) => x.toFixed(1)).join(" / ")}\n`,
);
for (const t of list) await profileAt(t, top, values.keep);
