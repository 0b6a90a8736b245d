/** Test helpers: a strict XML well-formedness check, mark counting, and a PNG decoder. */
import { inflateSync } from "node:zlib";

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  text: string;
}

/** Parses an XML document strictly (balanced tags, quoted attributes); throws when malformed. */
export function parseXml(xml: string): XmlElement {
  const root: XmlElement = { name: "#root", attrs: {}, children: [], text: "" };
  const stack: XmlElement[] = [root];
  const re =
    /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<!DOCTYPE[^>]*>|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|([^<]+)|(<)/g;
  for (const m of xml.matchAll(re)) {
    if (m[6] !== undefined) {
      throw new Error(`stray '<' at ${m.index}: ${xml.slice(m.index, m.index! + 40)}`);
    }
    if (m[5] !== undefined) {
      if (/&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)/i.test(m[5])) {
        throw new Error(`bad entity in text: ${m[5]}`);
      }
      stack[stack.length - 1].text += m[5];
      continue;
    }
    if (m[2] === undefined) continue;
    const [, close, name, attrText, selfClose] = m;
    if (close) {
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name}>`);
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of attrText.matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]} on <${name}>`);
      attrs[a[1]] = a[2] ?? a[3];
    }
    const el: XmlElement = { name, attrs, children: [], text: "" };
    stack[stack.length - 1].children.push(el);
    if (!selfClose) stack.push(el);
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].name}>`);
  if (root.children.length !== 1) {
    throw new Error(`expected one root element, found ${root.children.length}`);
  }
  return root.children[0];
}

/** Every element of the tree, depth first. */
export function* walk(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) yield* walk(c);
}

/** Number of drawn marks of a Vega mark type ("symbol", "rect", "line", …) in an SVG. */
export function countMarks(svg: string, markType: string): number {
  let count = 0;
  for (const el of walk(parseXml(svg))) {
    const cls = el.attrs.class ?? "";
    if (el.name === "g" && cls.includes(`mark-${markType}`) && cls.includes("role-mark")) {
      count += el.children.filter((c) =>
        c.name === "path" || c.name === "line" || c.name === "rect"
      ).length;
    }
  }
  return count;
}

/** All text content of <text> elements. */
export function texts(svg: string): string[] {
  return [...walk(parseXml(svg))].filter((e) => e.name === "text").map((e) => e.text);
}

export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  readonly colourType: number;
  /** Unfiltered samples, `height × width × channels`. */
  readonly samples: Uint8Array;
  readonly channels: number;
}

/** Decodes an 8-bit, non-interlaced PNG (grayscale, RGB or RGBA). */
export function decodePng(bytes: Uint8Array): DecodedPng {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  sig.forEach((b, i) => {
    if (bytes[i] !== b) throw new Error(`bad PNG signature at byte ${i}`);
  });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8, width = 0, height = 0, colourType = -1, depth = 0;
  const idat: Uint8Array[] = [];
  while (at < bytes.length) {
    const len = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + len);
    if (type === "IHDR") {
      width = view.getUint32(at + 8);
      height = view.getUint32(at + 12);
      depth = data[8];
      colourType = data[9];
      if (data[12] !== 0) throw new Error("interlaced PNG not supported");
    } else if (type === "IDAT") idat.push(data);
    else if (type === "IEND") break;
    at += 12 + len;
  }
  if (depth !== 8) throw new Error(`bit depth ${depth} not supported`);
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType as 0 | 2 | 4 | 6];
  if (channels === undefined) throw new Error(`colour type ${colourType} not supported`);
  const joined = new Uint8Array(idat.reduce((s, d) => s + d.length, 0));
  idat.reduce((o, d) => (joined.set(d, o), o + d.length), 0);
  const raw = new Uint8Array(inflateSync(joined));
  const stride = width * channels;
  const out = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? out[y * stride + x - channels] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? out[(y - 1) * stride + x - channels] : 0;
      let p: number;
      if (filter === 0) p = 0;
      else if (filter === 1) p = a;
      else if (filter === 2) p = b;
      else if (filter === 3) p = (a + b) >> 1;
      else if (filter === 4) {
        const pa = Math.abs(b - c), pb = Math.abs(a - c), pc = Math.abs(a + b - 2 * c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else throw new Error(`bad filter ${filter}`);
      out[y * stride + x] = (v + p) & 0xff;
    }
  }
  return { width, height, colourType, samples: out, channels };
}

/** Number of pixels darker than `threshold` in the first channel. */
export function darkPixels(png: DecodedPng, threshold = 128): number {
  let n = 0;
  for (let p = 0; p < png.width * png.height; p++) {
    if (png.samples[p * png.channels] < threshold) n++;
  }
  return n;
}
