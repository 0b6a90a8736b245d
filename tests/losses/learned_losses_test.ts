// The losses with learned parameters against loop oracles written from their papers' formulas
// (as pytorch-metric-learning states them), numbers computed with PyTorch from pml's formulas
// at pml's defaults, and finite-difference gradients w.r.t. the embeddings AND the parameters.
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import {
  arcFace,
  cosFace,
  proxyAnchor,
  proxyNca,
  softTriple,
  subCenterArcFace,
} from "../../lib/losses/learned/mod.ts";
import { compile } from "../../lib/compile/compile.ts";
import { dense, empty, labelled as labelledModel } from "../../lib/branches/mod.ts";
import type { Labelled, Loss, Tensor, Tensor2D } from "../../lib/types.ts";
import { analytic, assertGradientClose, finiteDifference5 } from "../distances/_fd.ts";
import { type Batch, batches, labelled, logSumExp, rng, type Rows } from "./_oracle.ts";
import {
  arcFaceOracle,
  cosFaceOracle,
  mean,
  proxyAnchorOracle,
  proxyNcaOracle,
  softTripleOracle,
  sum,
} from "./_learned_oracle.ts";

await tf.setBackend("cpu");

const CLASSES = 5; // the oracle batches use labels 0 … 4

// ---------------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------------

interface Case {
  readonly name: string;
  readonly parameter: string;
  /** Rows of the parameter per class. */
  readonly perClass: number;
  readonly make: (o: Record<string, number>, classes?: number) => Loss<Labelled>;
  readonly oracle: (b: Batch, w: Rows, o: Record<string, number>) => number;
  /** Option sets for the oracle test (the first is the defaults). */
  readonly options: Record<string, number>[];
  /** Options of the finite-difference test (gentle scales keep float32 differences meaningful). */
  readonly fd: Record<string, number>[];
  /** PyTorch's value (pml's formula and defaults) on the fixed batch, classes 4. */
  readonly pml: number;
}

const CASES: Case[] = [
  {
    name: "arcFace",
    parameter: "classWeights",
    perClass: 1,
    make: (o, classes = CLASSES) => arcFace({ classes, ...o }),
    oracle: (b, w, o) => arcFaceOracle(b, w, o),
    options: [{}, { margin: 10, scale: 4 }, { margin: 170, scale: 2 }],
    fd: [{ scale: 4 }, {}],
    pml: 63.49489534894738,
  },
  {
    name: "cosFace",
    parameter: "classWeights",
    perClass: 1,
    make: (o, classes = CLASSES) => cosFace({ classes, ...o }),
    oracle: (b, w, o) => cosFaceOracle(b, w, o),
    options: [{}, { margin: 0.1, scale: 4 }],
    fd: [{ scale: 4 }, {}],
    pml: 64.1720587872803,
  },
  {
    name: "subCenterArcFace",
    parameter: "classWeights",
    perClass: 3,
    make: (o, classes = CLASSES) => subCenterArcFace({ classes, ...o }),
    oracle: (b, w, o) => arcFaceOracle(b, w, { ...o, k: 3 }),
    options: [{}, { margin: 20, scale: 4 }],
    fd: [{ scale: 4 }, {}],
    pml: 40.13919691029463,
  },
  {
    name: "proxyAnchor",
    parameter: "proxies",
    perClass: 1,
    make: (o, classes = CLASSES) => proxyAnchor({ classes, ...o }),
    oracle: (b, w, o) => proxyAnchorOracle(b, w, o),
    options: [{}, { margin: 0.3, alpha: 4 }, { margin: -0.1, alpha: 1 }],
    fd: [{ alpha: 4 }, {}],
    pml: 49.94225835946291,
  },
  {
    name: "proxyNca",
    parameter: "proxies",
    perClass: 1,
    make: (o, classes = CLASSES) => proxyNca({ classes, ...o }),
    oracle: (b, w, o) => proxyNcaOracle(b, w, o),
    options: [{}, { softmaxScale: 8 }],
    fd: [{}, { softmaxScale: 8 }],
    pml: 2.0105480381088823,
  },
  {
    name: "softTriple",
    parameter: "centers",
    perClass: 10,
    make: (o, classes = CLASSES) => softTriple({ classes, ...o }),
    oracle: (b, w, o) => softTripleOracle(b, w, { ...o, k: o.centersPerClass ?? 10 }),
    options: [{}, { centersPerClass: 2, la: 5, gamma: 0.5, margin: 0.2 }],
    fd: [{ centersPerClass: 2, la: 5, gamma: 0.5 }, {}],
    pml: 2.7691125027598393,
  },
];

/** Seeded float32 parameter rows in [-1, 1). */
function rowsOf(count: number, dim: number, seed: number): Rows {
  const next = rng(seed);
  return Array.from(
    { length: count },
    () => Array.from({ length: dim }, () => Math.fround(next())),
  );
}

const rowsFor = (c: Case, o: Record<string, number>) =>
  CLASSES * (c.name === "softTriple" ? (o.centersPerClass ?? 10) : c.perClass);

const value = (loss: Loss<Labelled>, input: Labelled, parameter: string, w: Tensor) =>
  tf.tidy(() =>
    loss.reduce(loss.perItem(input, { training: true, parameters: { [parameter]: w } }))
      .dataSync()[0]
  );

const worst: Record<string, { value: number; fd: number }> = {};

for (const c of CASES) {
  worst[c.name] = { value: 0, fd: 0 };
  for (const [name, b] of batches()) {
    Deno.test(`${c.name} matches its loop oracle: ${name}`, () => {
      c.options.forEach((o, k) => {
        const loss = c.make(o);
        const rows = rowsOf(rowsFor(c, o), 3, 40 + k);
        const input = labelled(b);
        const w = tf.tensor2d(rows);
        const before = tf.memory().numTensors;
        const v = value(loss, input, c.parameter, w);
        assert.equal(tf.memory().numTensors, before, "tensors left behind");
        const expected = c.oracle(b, rows, o);
        worst[c.name].value = Math.max(worst[c.name].value, Math.abs(v - expected));
        assert.ok(Number.isFinite(v), `${v}`);
        assert.ok(
          Math.abs(v - expected) <= 2e-5 * (1 + Math.abs(expected)),
          `options ${JSON.stringify(o)}: ${v} vs ${expected}`,
        );
        if (b.rows.length === 0) assert.equal(v, 0);
        tf.dispose([input.embeddings, input.labels, w]);
      });
    });
  }

  Deno.test(`${c.name}: pml's defaults give PyTorch's number on a fixed batch`, () => {
    const classes = 4;
    const rows = c.name === "softTriple" ? 40 : classes * c.perClass;
    const f32 = (f: (i: number, j: number) => number, n: number) =>
      Array.from(
        { length: n },
        (_, i) => Array.from({ length: 4 }, (_, j) => Math.fround(f(i, j))),
      );
    const e = f32((i, j) => Math.cos(0.9 * i - 1.1 * j) + 0.1 * j, 6);
    const w = f32((r, j) => Math.sin(1.3 * r + 0.7 * j + 0.1), rows);
    const made = c.make({}, classes);
    const input: Labelled = {
      kind: "labelled",
      embeddings: tf.tensor2d(e) as Tensor2D,
      labels: tf.tensor1d([0, 1, 2, 0, 1, 2], "int32"),
    };
    const p = tf.tensor2d(w);
    const v = value(made, input, c.parameter, p);
    assert.ok(Math.abs(v - c.pml) <= 1e-5 * (1 + Math.abs(c.pml)), `${v} vs PyTorch ${c.pml}`);
    tf.dispose([input.embeddings, input.labels, p]);
  });

  Deno.test(`${c.name}: gradients w.r.t. embeddings and ${c.parameter} match finite differences`, () => {
    // (at a zero row the loss is not differentiable: its gradient there is 0 by choice, see below)
    for (const [name, b] of batches().filter(([n]) => /random [123]|ties/.test(n))) {
      for (const o of c.fd) {
        const loss = c.make(o);
        const n = b.rows.length, r = rowsFor(c, o);
        const rows = rowsOf(r, 3, 7);
        const labels = tf.tensor1d(b.labels, "int32");
        const f = (x: Tensor) => {
          const [embeddings, w] = tf.split(x, [n, r], 0) as Tensor2D[];
          return loss.reduce(
            loss.perItem({ kind: "labelled", embeddings, labels }, {
              training: true,
              parameters: { [c.parameter]: w },
            }),
          );
        };
        const values = [...b.rows.flat(), ...rows.flat()], shape = [n + r, 3];
        let ratio = 0;
        try {
          ratio = assertGradientClose(
            analytic(f, values, shape),
            finiteDifference5(f, values, shape, 2e-3),
            { rtol: 1e-2, atol: 2e-3 },
          );
        } catch (error) {
          throw new Error(`${name} ${JSON.stringify(o)}: ${(error as Error).message}`);
        }
        worst[c.name].fd = Math.max(worst[c.name].fd, ratio);
        // the parameters do get a gradient
        const g = tf.tidy(() => Array.from(tf.grad(f)(tf.tensor(values, shape)).dataSync()));
        assert.ok(g.slice(n * 3).some((v) => Math.abs(v) > 1e-6), `${name}: no parameter gradient`);
        labels.dispose();
      }
    }
  });

  Deno.test(`${c.name}: a zero embedding row gets a finite (zero) gradient, never NaN`, () => {
    const [, b] = batches().find(([n]) => n === "zero row")!;
    const loss = c.make({});
    const rows = rowsOf(rowsFor(c, {}), 3, 7);
    const input = labelled(b);
    const w = tf.tensor2d(rows);
    const [ge, gw] = tf.tidy(() =>
      tf.grads((e: Tensor, p: Tensor) =>
        loss.reduce(
          loss.perItem({ ...input, embeddings: e as Tensor2D }, {
            training: true,
            parameters: { [c.parameter]: p },
          }),
        )
      )([input.embeddings, w]).map((g) => Array.from(g.dataSync()))
    );
    assert.ok([...ge, ...gw].every(Number.isFinite));
    assert.ok(ge.slice(0, 3).every((g) => g === 0), `${ge.slice(0, 3)}`);
    tf.dispose([input.embeddings, input.labels, w]);
  });

  Deno.test(`${c.name}: bad options, labels and parameters are errors naming them`, () => {
    const loss = c.make({});
    assert.throws(
      () => c.make({ classes: 1 }),
      /options\.classes must be an integer ≥ 2 .*: current value is 1/,
    );
    assert.throws(
      () => c.make({ learningRateMultiplier: 0 }),
      /options\.learningRateMultiplier must be a finite number > 0: current value is 0/,
    );
    const rows = rowsFor(c, {});
    const input: Labelled = {
      kind: "labelled",
      embeddings: tf.ones([3, 3]) as Tensor2D,
      labels: tf.tensor1d([0, CLASSES, 1], "int32"),
    };
    const w = tf.ones([rows, 3]);
    const ctx = { training: true, parameters: { [c.parameter]: w } };
    assert.throws(
      () => loss.perItem(input, ctx),
      new RegExp(
        `labels must be integers in \\[0, ${CLASSES}\\) .*current value at index 1 is ${CLASSES}`,
      ),
    );
    const good = { ...input, labels: tf.tensor1d([0, 1, 2], "int32") };
    assert.throws(
      () => loss.perItem(good),
      new RegExp(
        `context\\.parameters\\.${c.parameter} must be its \\[${rows}, 3\\] parameter: current value is undefined`,
      ),
    );
    const wrong = tf.ones([rows, 2]);
    assert.throws(
      () => loss.perItem(good, { training: true, parameters: { [c.parameter]: wrong } }),
      new RegExp(`must have shape \\[${rows}, 3\\] .*current shape is \\[${rows},2\\]`),
    );
    tf.dispose([input.embeddings, input.labels, good.labels, w, wrong]);
  });
}

Deno.test("initialisers follow pml: N(0, 1) class weights and proxies, kaiming-normal fan-out proxy-anchor proxies, kaiming-uniform soft-triple centres", () => {
  const classes = 50, e = 64;
  const stats = (loss: Loss<Labelled>) => {
    const p = compile({ model: labelledModel(dense(e)(empty)), loss, inputShape: [2], seed: 3 });
    const v = Array.from(p.lossState!.parameters[0].variable.dataSync());
    p.dispose();
    const m = mean(v);
    return {
      mean: m,
      std: Math.sqrt(mean(v.map((x) => (x - m) ** 2))),
      max: Math.max(...v.map(Math.abs)),
    };
  };
  for (const loss of [arcFace({ classes }), cosFace({ classes }), proxyNca({ classes })]) {
    const s = stats(loss);
    assert.ok(
      Math.abs(s.mean) < 0.05 && Math.abs(s.std - 1) < 0.05,
      `${loss.name} ${JSON.stringify(s)}`,
    );
  }
  const anchor = stats(proxyAnchor({ classes }));
  assert.ok(Math.abs(anchor.std / Math.sqrt(2 / classes) - 1) < 0.05, JSON.stringify(anchor));
  const soft = stats(softTriple({ classes, centersPerClass: 2 }));
  const bound = 1 / Math.sqrt(classes * 2);
  assert.ok(soft.max <= bound && soft.max > 0.95 * bound, JSON.stringify(soft));
  assert.ok(Math.abs(soft.std / (bound / Math.sqrt(3)) - 1) < 0.05, JSON.stringify(soft));
});

Deno.test("proxyAnchor: perItem is per proxy; absent classes cost only their negative term", () => {
  const loss = proxyAnchor({ classes: 4 });
  const input: Labelled = {
    kind: "labelled",
    embeddings: tf.tensor2d([[1, 0], [0, 1]]) as Tensor2D,
    labels: tf.tensor1d([0, 0], "int32"),
  };
  const proxies = tf.tensor2d([[1, 0], [0, 1], [-1, 0], [0, -1]]);
  const v = loss.perItem(input, { training: false, parameters: { proxies } }).dataSync();
  assert.equal(v.length, 4);
  const b: Batch = { rows: [[1, 0], [0, 1]], labels: [0, 0] };
  const expected = proxyAnchorOracle(b, [[1, 0], [0, 1], [-1, 0], [0, -1]]);
  assert.ok(Math.abs(sum(Array.from(v)) - expected) < 1e-5 * (1 + expected));
  // class 2 has no positives: its item is log(1 + Σ e^{α(s + δ)}) / 4 over both rows
  const neg2 = logSumExp([32 * (-1 + 0.1), 32 * (0 + 0.1)], true) / 4;
  assert.ok(Math.abs(v[2] - neg2) < 1e-5, `${v[2]} vs ${neg2}`);
  tf.dispose([input.embeddings, input.labels, proxies]);
});

Deno.test("proxyNca: a zero proxy is at squared distance 1 from every embedding, as pml's F.normalize makes it 0", () => {
  const loss = proxyNca({ classes: 2 });
  const input: Labelled = {
    kind: "labelled",
    embeddings: tf.tensor2d([[3, 0], [0, 2]]) as Tensor2D,
    labels: tf.tensor1d([0, 1], "int32"),
  };
  const proxies = tf.tensor2d([[1, 0], [0, 0]]);
  const v = loss.perItem(input, { training: false, parameters: { proxies } }).dataSync();
  // row 0: d = (0, 1) → −log(e⁰ / (e⁰ + e⁻¹)); row 1: d = (2, 1) → −log(e⁻¹ / (e⁻² + e⁻¹))
  const expected = [Math.log(1 + Math.exp(-1)), Math.log(1 + Math.exp(-1))];
  v.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < 1e-6, `${i}: ${x} vs ${expected[i]}`));
  const oracle = proxyNcaOracle({ rows: [[3, 0], [0, 2]], labels: [0, 1] }, [[1, 0], [0, 0]]);
  assert.ok(Math.abs(mean(Array.from(v)) - oracle) < 1e-6);
  tf.dispose([input.embeddings, input.labels, proxies]);
});

Deno.test("learned losses: worst differences (report)", () => {
  if (Deno.env.get("LIKENESS_FD_REPORT")) console.log(JSON.stringify(worst));
});

// The PyTorch reference numbers above (`pml`) come from this script (float64, pml's formulas
// and defaults written out; /usr/bin/python3 with torch 1.13):
//
// # Reference numbers for likeness's learned losses, written from pytorch-metric-learning's
// # formulas (ArcFaceLoss, CosFaceLoss, SubCenterArcFaceLoss, ProxyAnchorLoss, ProxyNCALoss,
// # SoftTripleLoss; default options, MeanReducer / DivisorReducer), in float64.
// import math, json
// import torch
// import torch.nn.functional as F
// torch.set_default_dtype(torch.float64)
//
// def f32(rows):
//     return torch.tensor(rows, dtype=torch.float32).double()
//
// E = f32([[math.cos(0.9 * i - 1.1 * j) + 0.1 * j for j in range(4)] for i in range(6)])
// y = torch.tensor([0, 1, 2, 0, 1, 2])
// C = 4
//
// def W(rows):
//     return f32([[math.sin(1.3 * r + 0.7 * j + 0.1) for j in range(4)] for r in range(rows)])
//
// def cosmat(a, b):
//     return F.normalize(a, p=2, dim=1) @ F.normalize(b, p=2, dim=1).T
//
// def arcface_from_cos(cosine, margin_deg=28.6, scale=64):
//     mask = F.one_hot(y, C).double()
//     ct = cosine[mask == 1]
//     m = math.radians(margin_deg)
//     ang = torch.acos(torch.clamp(ct, -1, 1))
//     mod = torch.where(ang <= math.pi - m, torch.cos(ang + m), torch.cos(ang) - m * math.sin(m))
//     logits = cosine + mask * (mod - ct).unsqueeze(1)
//     return F.cross_entropy(logits * scale, y)
//
// out = {}
// out["arcFace"] = arcface_from_cos(cosmat(E, W(C))).item()
// mask = F.one_hot(y, C).double()
// out["cosFace"] = F.cross_entropy((cosmat(E, W(C)) - 0.35 * mask) * 64, y).item()
// out["subCenterArcFace"] = arcface_from_cos(cosmat(E, W(C * 3)).view(-1, C, 3).max(dim=2)[0]).item()
//
// def lse0(x, keep):
//     x = x.masked_fill(~keep, float("-inf"))
//     x = torch.cat([x, torch.zeros(1, x.shape[1])], dim=0)
//     o = torch.logsumexp(x, dim=0)
//     return o.masked_fill(~keep.any(dim=0), 0)
//
// P = W(C)
// cos = cosmat(E, P)
// pos = F.one_hot(y, C).bool()
// alpha, margin = 32, 0.1
// pos_term = lse0(alpha * (margin - cos), pos)
// neg_term = lse0(alpha * (cos + margin), ~pos)
// with_pos = (pos.sum(0) != 0).sum()
// out["proxyAnchor"] = (pos_term.sum() / with_pos + neg_term.sum() / C).item()
// out["proxyAnchorPerProxy"] = (pos_term / with_pos + neg_term / C).tolist()
//
// d = torch.cdist(F.normalize(E, dim=1), F.normalize(P, dim=1)) ** 2
// prob = torch.softmax(-d, dim=1)
// same = (y.unsqueeze(1) == torch.arange(C).unsqueeze(0)).double()
// exp = (prob * same).sum(1)
// out["proxyNca"] = (-torch.log(exp[exp != 0])).mean().item()
//
// K = 10
// sim = cosmat(E, W(C * K)).view(-1, C, K)
// S = (torch.softmax(sim * (1 / 0.1), dim=2) * sim).sum(2)
// out["softTriple"] = F.cross_entropy(20 * (S - 0.01 * mask), y).item()
// print(json.dumps(out, indent=1))
