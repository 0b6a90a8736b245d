/** Private helpers shared by the plot builders. */

/** A named series, or one unnamed series called `fallback`. */
export function namedSeries<T>(
  what: string,
  curves: Readonly<Record<string, readonly T[]>> | readonly T[],
  fallback: string,
): [string, readonly T[]][] {
  const entries: [string, readonly T[]][] = Array.isArray(curves)
    ? [[fallback, curves as readonly T[]]]
    : Object.entries(curves as Readonly<Record<string, readonly T[]>>);
  if (entries.length === 0) {
    throw new RangeError(`Cannot plot ${what} as no curve was given: current curves are {}`);
  }
  for (const [name, points] of entries) {
    if (!Array.isArray(points) || points.length === 0) {
      throw new RangeError(
        `Cannot plot ${what} as curve "${name}" is empty: current value is ${
          JSON.stringify(points)
        }`,
      );
    }
  }
  return entries;
}

/** Throws when a value is not a finite number. */
export function finite(what: string, field: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw new RangeError(
      `Cannot plot ${what} as ${field} must be a finite number: current value is ${value}`,
    );
  }
  return value;
}

/** Size, title and common layout of every plot. */
export function frame(
  title: string | undefined,
  options: { readonly width?: number; readonly height?: number },
  fallback: { width: number; height: number },
): Record<string, unknown> {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    ...(title === undefined ? {} : { title }),
    width: options.width ?? fallback.width,
    height: options.height ?? fallback.height,
  };
}

/** Colours for named series (Tableau 10), shared so that a model keeps its colour. */
export const palette = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];
