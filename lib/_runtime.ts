/**
 * Deno's (and Node's) built-in modules, fetched when a function that needs one runs, never
 * imported at module scope: likeness's core then loads in a browser, and only the parts that
 * work with files, SQLite or threads need Deno. In a runtime without them the error names
 * what was asked for and the module it needs.
 *
 * @module
 */

/** The built-in modules likeness uses, by name. */
export interface Builtins {
  readonly "node:crypto": typeof import("node:crypto");
  readonly "node:path": typeof import("node:path");
  readonly "node:sqlite": typeof import("node:sqlite");
  readonly "node:zlib": typeof import("node:zlib");
}

/**
 * The built-in module `name` of this runtime (through `process.getBuiltinModule`, which Deno
 * and Node provide without any permission), or an Error saying `what` needs it.
 */
export function builtin<K extends keyof Builtins>(name: K, what: string): Builtins[K] {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process;
  const module = typeof process?.getBuiltinModule === "function"
    ? process.getBuiltinModule(name)
    : undefined;
  if (module === undefined || module === null) {
    throw new Error(
      `Cannot ${what} as it needs the built-in module ${name}, which this runtime does not have: run it in Deno (or Node), not in a browser`,
    );
  }
  return module as Builtins[K];
}

/** Whether this runtime has the built-in module `name` (false in a browser). */
export function hasBuiltin(name: keyof Builtins): boolean {
  const process = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
    .process;
  return typeof process?.getBuiltinModule === "function" &&
    process.getBuiltinModule(name) !== undefined;
}
