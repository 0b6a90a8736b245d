import assert from "node:assert/strict";
import { flow, pipe } from "../lib/pipe.ts";

/** A step that appends its name: the result spells the order of application. */
const step = (name: string) => (s: string): string => `${s}${name}`;
const letters = "abcdefghijkl".split("");

Deno.test("pipe with no function returns its value unchanged (the same object)", () => {
  const value = { n: 1 };
  assert.equal(pipe(value), value);
  assert.equal(pipe(0), 0);
  assert.equal(pipe(undefined), undefined);
});

Deno.test("pipe applies every function once, left to right, for 1 to 12 functions", () => {
  for (let n = 1; n <= 12; n++) {
    const calls: string[] = [];
    const fns = letters.slice(0, n).map((l) => (s: string) => {
      calls.push(l);
      return step(l)(s);
    });
    const run = pipe as (a: unknown, ...f: ((x: string) => string)[]) => string;
    assert.equal(run(">", ...fns), `>${letters.slice(0, n).join("")}`);
    assert.deepEqual(calls, letters.slice(0, n), `${n} functions`);
  }
});

Deno.test("pipe: each function receives the previous result, types changing along the way", () => {
  const result = pipe(
    "3",
    (s: string) => Number(s),
    (n: number) => [n, n * 2],
    (xs: number[]) => xs.join("+"),
  );
  assert.equal(result, "3+6");
  // Order matters: inc then double ≠ double then inc.
  const inc = (n: number) => n + 1, double = (n: number) => n * 2;
  assert.equal(pipe(3, inc, double), 8);
  assert.equal(pipe(3, double, inc), 7);
});

Deno.test("pipe: a throwing function stops the chain and its error propagates", () => {
  const calls: string[] = [];
  assert.throws(
    () =>
      pipe(
        1,
        (n: number) => (calls.push("first"), n),
        (_: number): number => {
          throw new Error("boom");
        },
        (n: number) => (calls.push("never"), n),
      ),
    /boom/,
  );
  assert.deepEqual(calls, ["first"]);
});

Deno.test("flow composes left to right and runs nothing until called", () => {
  const calls: string[] = [];
  const f = flow(
    (s: string) => (calls.push("a"), `${s}a`),
    (s: string) => (calls.push("b"), `${s}b`),
    (s: string) => (calls.push("c"), `${s}c`),
  );
  assert.deepEqual(calls, [], "building a flow calls nothing");
  assert.equal(f(">"), ">abc");
  assert.deepEqual(calls, ["a", "b", "c"]);
  // Each call starts afresh: no state carried between calls.
  assert.equal(f("<"), "<abc");
  assert.deepEqual(calls, ["a", "b", "c", "a", "b", "c"]);
});

Deno.test("flow: the first function takes every argument, the rest one each", () => {
  const seen: unknown[][] = [];
  const f = flow(
    (a: number, b: number, c: number) => {
      seen.push([a, b, c]);
      return a * 100 + b * 10 + c;
    },
    (n: number) => n + 1,
  );
  assert.equal(f(1, 2, 3), 124);
  assert.deepEqual(seen, [[1, 2, 3]]);
  // A nullary first function works too.
  assert.equal(flow(() => 5, (n: number) => n * 2)(), 10);
});

Deno.test("flow of one function is that function's behaviour; of 9 applies all in order", () => {
  const only = flow((a: number, b: number) => a - b);
  assert.equal(only(5, 3), 2);
  const nine = letters.slice(0, 9).map(step) as [
    (s: string) => string,
    ...((s: string) => string)[],
  ];
  const run = flow as (...f: ((s: string) => string)[]) => (s: string) => string;
  assert.equal(run(...nine)(">"), ">abcdefghi");
});

Deno.test("flow(f, g)(x) equals pipe(x, f, g) for any x", () => {
  const f = (n: number) => n * 3 - 1, g = (n: number) => n ** 2;
  for (const x of [-2, 0, 0.5, 7, 1e6]) assert.equal(flow(f, g)(x), pipe(x, f, g));
});
