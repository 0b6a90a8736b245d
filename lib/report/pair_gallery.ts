import type { ImageSource, ScoredPair } from "./types.ts";
import {
  bad,
  classOf,
  formatNumber,
  good,
  imageDataUri,
  imageElement,
  imageSize,
  svgOpen,
  textElement,
} from "./_markup.ts";

/**
 * Options of {@linkcode pairGallery}.
 *
 * @example
 * ```ts
 * import { pairGallery, type PairGalleryOptions } from "./pair_gallery.ts";
 * const source = { images: new Float32Array(3 * 4), shape: [2, 2], size: 3 };
 * const pairs = [{ left: 0, right: 1, score: 0.9, same: true }, { left: 0, right: 2, score: 0.1, same: false }];
 * const options: PairGalleryOptions = { title: "P(same)", scoreName: "p", columns: 1, cell: 28 };
 * const svg = pairGallery(source, pairs, options);
 * if (!svg.includes(">P(same)<") || !svg.includes("p=0.900")) throw new Error("title and score name");
 * // one pair per row is narrower than the two side by side
 * const width = (s: string) => Number(/width="(\d+)"/.exec(s)?.[1]);
 * if (!(width(svg) < width(pairGallery(source, pairs, { ...options, columns: 2 })))) throw new Error("columns");
 * ```
 */
export interface PairGalleryOptions {
  /** Title above the gallery. Default "Pairs and their scores". */
  readonly title?: string;
  /** Drawn size of one image in pixels. Default 56 (28 × 28 images at 2×). */
  readonly cell?: number;
  /** Pairs per row. Default 4. */
  readonly columns?: number;
  /** Name of the score under each pair. Default "d" (a distance). */
  readonly scoreName?: string;
}

/**
 * The verification picture: compared pairs side by side with their score, the truth
 * ("same" or "different", with class names when the source has labels) and, when the pair
 * carries the model's decision, a green ✓ or red ✗ frame around the pair. Images are
 * embedded as PNG data URIs, so the SVG stands alone.
 *
 * @param source The images (e.g. a Fashion-MNIST `Dataset`), values in [0, 1]; drawn in colour
 *   when they have 3 or more channels (an RGB `data.imageFolder`), else in grey.
 * @param pairs The pairs to show.
 * @param options Title, image size, pairs per row and score name.
 * @returns An SVG document.
 *
 * @example
 * ```ts
 * import { pairGallery } from "./pair_gallery.ts";
 * const source = { images: new Float32Array(2 * 4), shape: [2, 2, 1], size: 2 };
 * const svg = pairGallery(source, [{ left: 0, right: 1, score: 0.25, same: false, predictedSame: true }]);
 * if (svg.split("<image").length - 1 !== 2) throw new Error("two images per pair");
 * if (!svg.includes("d=0.250")) throw new Error("the score is printed");
 * ```
 */
export function pairGallery(
  source: ImageSource,
  pairs: readonly ScoredPair[],
  options: PairGalleryOptions = {},
): string {
  const what = "pair gallery";
  const { w } = imageSize(what, source);
  if (!Array.isArray(pairs) || pairs.length === 0) {
    throw new RangeError(
      `Cannot draw ${what} as pairs are empty: current length is ${pairs?.length}`,
    );
  }
  const cell = options.cell ?? 56;
  const zoom = Math.max(1, Math.min(8, Math.round(cell / w)));
  const columns = Math.min(options.columns ?? 4, pairs.length);
  if (!(cell >= 8)) {
    throw new RangeError(`Cannot draw ${what} as cell must be at least 8: current cell is ${cell}`);
  }
  if (!Number.isInteger(columns) || columns < 1) {
    throw new RangeError(
      `Cannot draw ${what} as columns must be a positive integer: current columns is ${options.columns}`,
    );
  }
  const scoreName = options.scoreName ?? "d";
  const pairW = Math.max(2 * cell + 16, 150);
  const colW = pairW + 20;
  const rowH = cell + 52;
  const top = 36;
  const rows = Math.ceil(pairs.length / columns);
  const width = 10 + columns * colW;
  const height = top + rows * rowH;
  const parts: string[] = [svgOpen(width, height)];
  parts.push(
    textElement(
      options.title ?? "Pairs and their scores",
      width / 2,
      20,
      'text-anchor="middle" font-size="15"',
    ),
  );
  pairs.forEach((p, i) => {
    if (!Number.isFinite(p.score)) {
      throw new RangeError(
        `Cannot draw ${what} as scores must be finite: pair ${i} has ${p.score}`,
      );
    }
    const x0 = 10 + (i % columns) * colW;
    const y0 = top + Math.floor(i / columns) * rowH;
    const mid = x0 + pairW / 2;
    parts.push(
      imageElement(imageDataUri(what, source, p.left, zoom), mid - 4 - cell, y0 + 4, cell, cell),
    );
    parts.push(
      imageElement(imageDataUri(what, source, p.right, zoom), mid + 4, y0 + 4, cell, cell),
    );
    const correct = p.predictedSame === undefined ? undefined : p.predictedSame === p.same;
    if (correct !== undefined) {
      parts.push(
        `<rect x="${mid - cell - 8}" y="${y0}" width="${2 * cell + 16}" height="${
          cell + 8
        }" fill="none" stroke="${correct ? good : bad}" stroke-width="3"/>`,
      );
    }
    const left = classOf(source, p.left), right = classOf(source, p.right);
    const truth = left !== undefined && right !== undefined
      ? (p.same ? `same: ${left}` : `${left} ≠ ${right}`)
      : (p.same ? "same" : "different");
    parts.push(textElement(truth, mid, y0 + cell + 22, 'text-anchor="middle"'));
    const verdict = correct === undefined
      ? ""
      : ` ${correct ? "✓" : "✗"} said ${p.predictedSame ? "same" : "different"}`;
    const fill = correct === undefined ? "" : ` fill="${correct ? good : bad}"`;
    parts.push(
      textElement(
        `${scoreName}=${formatNumber(p.score)}${verdict}`,
        mid,
        y0 + cell + 36,
        `text-anchor="middle"${fill}`,
      ),
    );
  });
  parts.push("</svg>");
  return parts.join("");
}
