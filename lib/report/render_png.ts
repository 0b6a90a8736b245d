import { initWasm, Resvg } from "@resvg/resvg-wasm";

/**
 * Options of {@linkcode renderPng}.
 *
 * @example
 * ```ts
 * import { renderPng, type RenderPngOptions } from "./render_png.ts";
 * const options: RenderPngOptions = { scale: 3, background: "black" };
 * const png = await renderPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"/>', options);
 * // the PNG header (IHDR) holds width and height: 10 × 5 SVG units at 3 pixels each
 * const view = new DataView(png.buffer, png.byteOffset);
 * if (view.getUint32(16) !== 30 || view.getUint32(20) !== 15) throw new Error("30 × 15 pixels");
 * ```
 */
export interface RenderPngOptions {
  /** Pixels per SVG unit. Default 2 (sharp on high-density screens and in documents). */
  readonly scale?: number;
  /** Background colour behind transparent areas. Default `"white"`. */
  readonly background?: string;
}

let ready: Promise<Uint8Array> | undefined;

/** Loads the resvg WASM module and the DejaVu Sans font from their npm packages, once. */
function setUp(): Promise<Uint8Array> {
  ready ??= (async () => {
    const wasm = await Deno.readFile(
      packageFile("@resvg/resvg-wasm/index_bg.wasm", "npm:@resvg/resvg-wasm@2.6.2/index_bg.wasm"),
    );
    await initWasm(wasm);
    return await Deno.readFile(
      packageFile(
        "dejavu-fonts-ttf/ttf/DejaVuSans.ttf",
        "npm:dejavu-fonts-ttf@2.37.3/ttf/DejaVuSans.ttf",
      ),
    );
  })();
  ready.catch(() => (ready = undefined));
  return ready;
}

/** A file of an npm package: through the import map, else the pinned npm specifier. */
function packageFile(mapped: string, pinned: string): URL {
  for (const specifier of [mapped, pinned]) {
    try {
      const url = new URL(import.meta.resolve(specifier));
      if (url.protocol === "file:") return url;
    } catch {
      // not mapped here: try the next form
    }
  }
  throw new Error(`Cannot render PNG as the npm file ${pinned} is not installed locally`);
}

/**
 * Rasterises an SVG document to PNG bytes with resvg (`@resvg/resvg-wasm`), offline: the
 * WASM module and the DejaVu Sans font are read from their npm packages, no system fonts are
 * used, so every machine draws the same pixels. Needs read permission on Deno's npm cache.
 *
 * @param svg An SVG document, e.g. from `renderSvg` or `rankingGallery`.
 * @param options Scale and background.
 * @returns PNG file bytes.
 *
 * @example
 * ```ts
 * import { renderPng } from "./render_png.ts";
 * const png = await renderPng('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"/>');
 * if (png[1] !== 0x50 || png[2] !== 0x4e || png[3] !== 0x47) throw new Error("not a PNG");
 * const width = new DataView(png.buffer, png.byteOffset).getUint32(16);
 * if (width !== 20) throw new Error(`scale 2 should give 20 px: ${width}`);
 * ```
 */
export async function renderPng(svg: string, options: RenderPngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  if (!(Number.isFinite(scale) && scale > 0)) {
    throw new RangeError(
      `Cannot render PNG as scale must be a positive number: current scale is ${scale}`,
    );
  }
  if (typeof svg !== "string" || !svg.includes("<svg")) {
    throw new TypeError(
      `Cannot render PNG as the input is not an SVG document: current input starts ${
        JSON.stringify(String(svg).slice(0, 40))
      }`,
    );
  }
  const font = await setUp();
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: options.background ?? "white",
    font: {
      fontBuffers: [font],
      loadSystemFonts: false,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
      serifFamily: "DejaVu Sans",
      monospaceFamily: "DejaVu Sans",
    },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}
