import type { ImageSource, RankedQuery } from "./types.ts";
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
 * Options of {@linkcode rankingGallery}.
 *
 * @example
 * ```ts
 * import { rankingGallery, type RankingGalleryOptions } from "./ranking_gallery.ts";
 * const source = { images: new Float32Array(3 * 4), shape: [2, 2], size: 3 };
 * const neighbours = [{ index: 1, distance: 0.1, correct: true }, { index: 2, distance: 0.7, correct: false }];
 * const options: RankingGalleryOptions = { title: "Nearest", maxNeighbours: 1, cell: 28 };
 * const svg = rankingGallery(source, [{ query: 0, neighbours }], options);
 * // only the nearest neighbour is drawn: the query and one image, a "rank 1" column only
 * if (svg.split("<image").length - 1 !== 2 || svg.includes("rank 2")) throw new Error("one neighbour");
 * if (!svg.includes(">Nearest<")) throw new Error("title");
 * ```
 */
export interface RankingGalleryOptions {
  /** Title above the gallery. Default "Queries and their nearest neighbours". */
  readonly title?: string;
  /** Drawn size of one image in pixels. Default 56 (28 × 28 images at 2×). */
  readonly cell?: number;
  /** Draw at most this many neighbours per query. Default 8. */
  readonly maxNeighbours?: number;
}

/**
 * The identification picture: one row per query, the query image first, then its ranked
 * neighbours closest first, each with its rank, class name (when the source has labels),
 * distance and a green ✓ frame when it has the query's class or a red ✗ frame when not.
 * Images are embedded as PNG data URIs, so the SVG stands alone (and `renderPng` rasterises
 * it).
 *
 * @param source The images (e.g. a Fashion-MNIST `Dataset`), values in [0, 1]; drawn in colour
 *   when they have 3 or more channels (an RGB `data.imageFolder`), else in grey.
 * @param queries Queries with their neighbours, closest first.
 * @param options Title, image size and neighbours per row.
 * @returns An SVG document.
 *
 * @example
 * ```ts
 * import { rankingGallery } from "./ranking_gallery.ts";
 * const source = { images: new Float32Array(3 * 4).fill(0.5), shape: [2, 2], size: 3 };
 * const svg = rankingGallery(source, [{
 *   query: 0,
 *   neighbours: [{ index: 1, distance: 0.1, correct: true }, { index: 2, distance: 0.7, correct: false }],
 * }]);
 * if (svg.split("<image").length - 1 !== 3) throw new Error("query and two neighbours");
 * if (!svg.includes("✗")) throw new Error("the wrong neighbour is marked");
 * ```
 */
export function rankingGallery(
  source: ImageSource,
  queries: readonly RankedQuery[],
  options: RankingGalleryOptions = {},
): string {
  const what = "ranking gallery";
  const { w } = imageSize(what, source);
  if (!(queries?.length > 0)) {
    throw new RangeError(
      `Cannot draw ${what} as queries are empty: current length is ${queries?.length}`,
    );
  }
  const cell = options.cell ?? 56;
  const zoom = Math.max(1, Math.min(8, Math.round(cell / w)));
  const maxNeighbours = options.maxNeighbours ?? 8;
  if (!(cell >= 8)) {
    throw new RangeError(`Cannot draw ${what} as cell must be at least 8: current cell is ${cell}`);
  }
  if (!Number.isInteger(maxNeighbours) || maxNeighbours < 1) {
    throw new RangeError(
      `Cannot draw ${what} as maxNeighbours must be a positive integer: current maxNeighbours is ${maxNeighbours}`,
    );
  }
  const k = Math.max(...queries.map((q) => Math.min(q.neighbours.length, maxNeighbours)));
  const col = Math.max(cell + 20, 84);
  const gap = 24; // between the query column and the neighbours
  const rowH = cell + 44;
  const top = 52;
  const width = 12 + col + gap + k * col;
  const height = top + queries.length * rowH + 4;
  const parts: string[] = [svgOpen(width, height)];
  parts.push(
    textElement(
      options.title ?? "Queries and their nearest neighbours",
      width / 2,
      20,
      'text-anchor="middle" font-size="15"',
    ),
  );
  const centre = (c: number) => 12 + (c === 0 ? 0 : gap) + c * col + col / 2;
  parts.push(textElement("query", centre(0), top - 8, 'text-anchor="middle" font-weight="bold"'));
  for (let r = 1; r <= k; r++) {
    parts.push(
      textElement(`rank ${r}`, centre(r), top - 8, 'text-anchor="middle" font-weight="bold"'),
    );
  }
  queries.forEach((q, row) => {
    const y = top + row * rowH;
    const draw = (c: number, index: number, lines: string[], mark?: boolean) => {
      const x = centre(c) - cell / 2;
      parts.push(imageElement(imageDataUri(what, source, index, zoom), x, y, cell, cell));
      if (mark !== undefined) {
        parts.push(
          `<rect x="${x - 1.5}" y="${y - 1.5}" width="${cell + 3}" height="${
            cell + 3
          }" fill="none" stroke="${mark ? good : bad}" stroke-width="3"/>`,
        );
      }
      lines.forEach((line, i) => {
        const fill = i === 1 && mark !== undefined ? ` fill="${mark ? good : bad}"` : "";
        parts.push(
          textElement(line, centre(c), y + cell + 15 + 13 * i, `text-anchor="middle"${fill}`),
        );
      });
    };
    const queryClass = classOf(source, q.query);
    draw(0, q.query, [queryClass ?? `#${q.query}`]);
    q.neighbours.slice(0, maxNeighbours).forEach((n, i) => {
      if (!Number.isFinite(n.distance)) {
        throw new RangeError(
          `Cannot draw ${what} as distances must be finite: query ${q.query}, neighbour ${i} has ${n.distance}`,
        );
      }
      const name = classOf(source, n.index) ?? `#${n.index}`;
      draw(
        i + 1,
        n.index,
        [name, `${n.correct ? "✓" : "✗"} d=${formatNumber(n.distance)}`],
        n.correct,
      );
    });
  });
  parts.push(
    `<line x1="${12 + col + gap / 2}" y1="${top - 22}" x2="${12 + col + gap / 2}" y2="${
      height - 6
    }" stroke="#bbb"/>`,
  );
  parts.push("</svg>");
  return parts.join("");
}
