// Optional test dependencies (the native libraries, a WebGPU adapter, Debian's Fashion-MNIST):
// where one is missing its tests are registered as ignored, so the run's summary counts them
// ("K ignored", reported by .ci/run as skipped) — never silently dropped. Where
// LIKENESS_REQUIRE names the dependency (comma-separated, or "all"), as .ci/run sets it after
// installing them, a missing one is a failing test instead.

const required = (Deno.env.get("LIKENESS_REQUIRE") ?? "").split(",").map((s) => s.trim());
const reported = new Set<string>();

/**
 * Whether the tests needing `dependency` must be ignored: `false` when it is available
 * (`reason` undefined). Otherwise prints the reason once, and where the dependency is
 * required registers one failing test that says why.
 */
export function missing(dependency: string, reason: string | undefined): boolean {
  if (reason === undefined) return false;
  if (!reported.has(dependency)) {
    reported.add(dependency);
    console.log(`SKIPPED ${dependency} tests: ${reason}`);
    if (required.includes(dependency) || required.includes("all")) {
      Deno.test(`required dependency ${dependency} is available`, () => {
        throw new Error(
          `${dependency} is required here (LIKENESS_REQUIRE=${
            Deno.env.get("LIKENESS_REQUIRE")
          }) but missing: ${reason}`,
        );
      });
    }
  }
  return true;
}
