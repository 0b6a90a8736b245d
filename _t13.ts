import * as tf from "@tensorflow/tfjs";
import { useBackend } from "./lib/backend/mod.ts";
import { getStock } from "./lib/backend/_composite.ts";
import { diffVsCpu, randomSpec } from "./tests/backend/_compare.ts";
await useBackend("webgpu");
tf.unregisterKernel("Conv2DBackpropFilter", "webgpu"); tf.registerKernel({kernelName: "Conv2DBackpropFilter", backendName: "webgpu", kernelFunc: getStock("Conv2DBackpropFilter","webgpu")!});
for (const n of [4, 96]) {
const r = await diffVsCpu("webgpu", "Conv2DBackpropFilter", { x: randomSpec([n,28,28,8],1), dy: randomSpec([n,28,28,8],2) }, { strides: 1, pad: "same", dataFormat: "NHWC", filterShape: [3,3,8,8] } as any);
console.log(n, r);
}
