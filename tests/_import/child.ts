// Run by tests/import_test.ts in a child process with no permissions at all: imports tfjs,
// notes the tfjs globals it can observe cheaply, imports every entry point of likeness, and
// prints what changed (JSON) and "ok". A literal dynamic import: the module graph is known at
// start, so loading it needs no read permission.
const tf = await import("@tensorflow/tfjs");

interface Snapshot {
  backendFactories: string[];
  backendName: string | null;
  kernels: Record<string, number>;
  gradients: Record<string, boolean>;
  gradientFunctions: Map<string, unknown>;
  serializableClasses: string[];
  classObjects: Map<string, unknown>;
  flags: Record<string, unknown>;
  globals: string[];
}

const backendNames = ["cpu", "webgl", "wasm", "webgpu", "native", "tensorflow"];
const engine = tf.engine() as unknown as {
  registryFactory: Record<string, unknown>;
  backendName: string | null;
};

function snapshot(): Snapshot {
  const kernelNames = new Set<string>([
    "LikenessBatchNormTrain",
    "LikenessBatchNormTrainGrad",
    "LikenessRelu",
    "LikenessReluGrad",
    "LikenessAdam",
  ]);
  for (const b of backendNames) {
    for (const k of tf.getKernelsForBackend(b)) kernelNames.add(k.kernelName);
  }
  const gradients: Record<string, boolean> = {};
  const gradientFunctions = new Map<string, unknown>();
  for (const name of kernelNames) {
    const g = tf.getGradient(name);
    gradients[name] = g !== undefined;
    gradientFunctions.set(name, g?.gradFunc);
  }
  const map = tf.serialization.SerializationMap.getMap() as unknown as {
    classNameMap: Record<string, [unknown, unknown]>;
  };
  return {
    backendFactories: Object.keys(engine.registryFactory).sort(),
    backendName: engine.backendName ?? null,
    kernels: Object.fromEntries(backendNames.map((b) => [b, tf.getKernelsForBackend(b).length])),
    gradients,
    gradientFunctions,
    serializableClasses: Object.keys(map.classNameMap).sort(),
    classObjects: new Map(Object.entries(map.classNameMap).map(([k, v]) => [k, v[0]])),
    flags: { ...tf.env().getFlags() },
    globals: Object.getOwnPropertyNames(globalThis).sort(),
  };
}

const before = snapshot();
// Through a module of plain imports: lib/branches/mod.ts exports `then`, which makes its own
// namespace a thenable that `await import(...)` would never see resolved.
await import("./entry_points.ts");
const after = snapshot();

const changes: string[] = [];
const listDiff = (what: string, a: string[], b: string[]) => {
  const added = b.filter((x) => !a.includes(x));
  const removed = a.filter((x) => !b.includes(x));
  if (added.length > 0) changes.push(`${what} added: ${added.join(", ")}`);
  if (removed.length > 0) changes.push(`${what} removed: ${removed.join(", ")}`);
};
listDiff("backend factories", before.backendFactories, after.backendFactories);
if (before.backendName !== after.backendName) {
  changes.push(`active backend: ${before.backendName} → ${after.backendName}`);
}
for (const b of backendNames) {
  if (before.kernels[b] !== after.kernels[b]) {
    changes.push(`kernels of ${b}: ${before.kernels[b]} → ${after.kernels[b]}`);
  }
}
const names = new Set([...Object.keys(before.gradients), ...Object.keys(after.gradients)]);
const gradientsAdded: string[] = [];
const gradientsReplaced: string[] = [];
for (const name of names) {
  if (!before.gradients[name] && after.gradients[name]) gradientsAdded.push(name);
  else if (before.gradientFunctions.get(name) !== after.gradientFunctions.get(name)) {
    gradientsReplaced.push(name);
  }
}
if (gradientsAdded.length > 0) changes.push(`gradients added: ${gradientsAdded.sort().join(", ")}`);
if (gradientsReplaced.length > 0) {
  changes.push(`gradients replaced: ${gradientsReplaced.sort().join(", ")}`);
}
listDiff("serializable classes", before.serializableClasses, after.serializableClasses);
const classesReplaced = before.serializableClasses.filter((name) =>
  after.classObjects.has(name) && after.classObjects.get(name) !== before.classObjects.get(name)
);
if (classesReplaced.length > 0) {
  changes.push(`serializable classes replaced: ${classesReplaced.join(", ")}`);
}
const flags = new Set([...Object.keys(before.flags), ...Object.keys(after.flags)]);
for (const f of flags) {
  if (before.flags[f] !== after.flags[f]) {
    changes.push(`flag ${f}: ${before.flags[f]} → ${after.flags[f]}`);
  }
}
listDiff("globals", before.globals, after.globals);
console.log(JSON.stringify({ changes }));
console.log("ok");
