// On the native backend (which exists only through likeness), a stock batch-norm + ReLU model
// computes bit-identically before and after compiling and training a likeness program there
// (and on cpu and wasm), and starting native replaces no tfjs gradient or layer class: its
// FusedBatchNorm and Relu gradients stay tfjs's own. (cpu and wasm, before importing
// likeness at all: global_state_test.ts.)
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { nativeMissing, useNative } from "../backend/_native.ts";
import { registries, sameBits, stockRun } from "./_stock_model.ts";
import { trainProgram } from "./_training_parts.ts";

Deno.test({
  name:
    "native: a stock batch-norm + relu model is bit-identical before and after a likeness program trains",
  ignore: nativeMissing,
  fn: async () => {
    const stockRegistries = registries();
    await useNative();
    const baseline = await stockRun("native");
    await trainProgram("native");
    await trainProgram("wasm");
    await trainProgram("cpu");
    sameBits("native", await stockRun("native"), baseline);
    const now = registries();
    ["Relu", "FusedBatchNorm", "Step", "Multiply", "BatchNormalization", "Activation"].forEach(
      (what, i) => assert.equal(now[i], stockRegistries[i], `${what} was replaced`),
    );
    await tf.setBackend("cpu");
  },
});
