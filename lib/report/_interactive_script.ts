/**
 * The interactive report's page script and style: plain JavaScript (no framework, no
 * network), reading its data from the `<script id="likeness-data">` JSON element. Kept as
 * text here; `tests/report/interactive_browser_test.ts` runs it in headless Chromium.
 *
 * @module
 */

/** The page's CSS. */
export const STYLE = String.raw`
:root { --fg: #1d2433; --muted: #5b6475; --line: #d9dee7; --bg: #f6f7f9; --good: #2e7d32; --bad: #c62828; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { padding: 18px 28px 8px; background: white; border-bottom: 1px solid var(--line); }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0 0 8px; color: var(--muted); }
nav a { margin-right: 14px; color: #2458b3; text-decoration: none; font-size: 13px; }
main { padding: 8px 28px 40px; max-width: 1400px; }
section { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 14px 18px; margin: 16px 0; }
section h2 { margin: 0 0 4px; font-size: 17px; }
.means { color: var(--muted); margin: 2px 0 10px; max-width: 90ch; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; }
.card .name { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.card .value { font-size: 22px; font-variant-numeric: tabular-nums; }
.card .means { font-size: 12px; margin: 2px 0 0; }
.projector { display: flex; gap: 14px; flex-wrap: wrap; }
.projector .stage { flex: 1 1 620px; min-width: 320px; }
#map { width: 100%; height: 560px; border: 1px solid var(--line); border-radius: 6px; cursor: crosshair; display: block; background: #fff; touch-action: none; }
#map.dragging { cursor: grabbing; }
.tools { margin: 6px 0; display: flex; gap: 6px; flex-wrap: wrap; align-items: center; font-size: 12px; }
.tools button, .legend button { font: inherit; font-size: 12px; border: 1px solid var(--line); background: white; border-radius: 4px; padding: 2px 8px; cursor: pointer; }
.legend button.off { opacity: .35; text-decoration: line-through; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 5px; vertical-align: -1px; }
#info { flex: 0 0 300px; border: 1px solid var(--line); border-radius: 6px; padding: 10px; min-height: 200px; }
#info .big { width: 112px; height: 112px; image-rendering: pixelated; border: 1px solid var(--line); background: #000; }
#info .nb { display: flex; align-items: center; gap: 8px; margin: 4px 0; font-size: 12px; }
#info .nb img { width: 40px; height: 40px; image-rendering: pixelated; border: 2px solid; }
.ok { color: var(--good); } .no { color: var(--bad); }
.plots { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: var(--fg); }
svg .axis line, svg .axis path { stroke: #8a93a3; }
svg .grid line { stroke: #eceff4; }
.readout { font-size: 12px; color: var(--muted); min-height: 1.4em; font-variant-numeric: tabular-nums; }
.rates { font-size: 13px; margin: 6px 0; font-variant-numeric: tabular-nums; }
input[type=range] { width: 100%; }
#gallery-random, #gallery-worst { display: grid; grid-template-columns: repeat(auto-fill, minmax(600px, 1fr)); column-gap: 18px; }
.gallery .row { display: flex; align-items: flex-start; gap: 6px; margin: 6px 0; padding: 4px 0; border-bottom: 1px solid #f0f2f5; flex-wrap: wrap; }
.gallery figure { margin: 0; width: 62px; text-align: center; font-size: 10px; color: var(--muted); overflow: hidden; }
.gallery figure img { width: 56px; height: 56px; image-rendering: pixelated; border: 3px solid transparent; display: block; margin: 0 auto; }
.gallery figure.query { width: 120px; text-align: left; color: var(--fg); }
.gallery figure.query img { border-color: #333; margin: 0; }
.gallery figure.good img { border-color: var(--good); }
.gallery figure.bad img { border-color: var(--bad); }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
td, th { padding: 3px 8px; border: 1px solid var(--line); font-size: 12px; text-align: right; }
th { background: #fafbfc; font-weight: 600; }
table.config td:first-child { text-align: left; color: var(--muted); }
table.config td:last-child { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
.confusion th.rot { writing-mode: vertical-rl; transform: rotate(180deg); text-align: left; max-height: 140px; }
`;

/** Helpers shared by the pages' scripts (DOM, SVG, number formats, a plot with axes). */
export const HELPERS = String.raw`
  var SVGNS = "http://www.w3.org/2000/svg";
  var PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#393b79", "#e7969c", "#637939", "#ad494a", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363"];
  function colour(label) { return label < PALETTE.length ? PALETTE[label] : "hsl(" + ((label * 137.5) % 360) + ",60%,45%)"; }
  function byId(id) { return document.getElementById(id); }
  function h(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "class") e.className = attrs[k];
      else e.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) if (arguments[i] != null) e.append(arguments[i]);
    return e;
  }
  function s(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, String(attrs[k]));
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function fmt(x, p) {
    if (!Number.isFinite(x)) return "—";
    if (x === 0) return "0";
    return Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(p || 3);
  }
  function pct(x) { return Number.isFinite(x) ? (100 * x).toFixed(x > 0 && x < 0.01 ? 2 : 1) + " %" : "—"; }

  // ---- a small SVG plotting helper: linear or log axes, ticks, grid --------------------
  function plot(parent, o) {
    var W = o.width || 520, H = o.height || 300, m = { l: 58, r: 16, t: 14, b: 42 };
    var svg = s("svg", { viewBox: "0 0 " + W + " " + H, width: "100%", role: "img", "aria-label": o.label || "" });
    svg.style.maxWidth = W + "px";
    function scale(a, lo, hi) {
      if (a.log) { var l0 = Math.log10(a.min), l1 = Math.log10(a.max); return function (v) { return lo + (Math.log10(Math.max(v, a.min)) - l0) / (l1 - l0) * (hi - lo); }; }
      return function (v) { return lo + (v - a.min) / (a.max - a.min) * (hi - lo); };
    }
    var X = scale(o.x, m.l, W - m.r), Y = scale(o.y, H - m.b, m.t);
    function ticks(a) {
      var out = [];
      if (a.log) { for (var e = Math.ceil(Math.log10(a.min) - 1e-9); e <= Math.floor(Math.log10(a.max) + 1e-9); e++) out.push(Math.pow(10, e)); return out; }
      var span = a.max - a.min, step = Math.pow(10, Math.floor(Math.log10(span / 5 || 1)));
      if (span / step > 10) step *= 2;
      if (span / step > 10) step *= 2.5;
      for (var v = Math.ceil(a.min / step) * step; v <= a.max + step * 1e-6; v += step) out.push(Math.round(v / step) * step);
      return out;
    }
    function tickText(a, v) { if (a.log) { var e = Math.round(Math.log10(v)); return e >= -2 ? String(Math.pow(10, e)) : "1e" + e; } return String(Number(v.toPrecision(4))); }
    var grid = s("g", { class: "grid" }), ax = s("g", { class: "axis", id: o.id ? o.id + "-x-axis" : "", "data-scale": o.x.log ? "log" : "linear" });
    var ay = s("g", { class: "axis", id: o.id ? o.id + "-y-axis" : "" });
    ticks(o.x).forEach(function (v) {
      grid.append(s("line", { x1: X(v), x2: X(v), y1: m.t, y2: H - m.b }));
      ax.append(s("line", { x1: X(v), x2: X(v), y1: H - m.b, y2: H - m.b + 4 }));
      ax.append(s("text", { x: X(v), y: H - m.b + 16, "text-anchor": "middle", class: "tick" }, tickText(o.x, v)));
    });
    ticks(o.y).forEach(function (v) {
      grid.append(s("line", { x1: m.l, x2: W - m.r, y1: Y(v), y2: Y(v) }));
      ay.append(s("line", { x1: m.l - 4, x2: m.l, y1: Y(v), y2: Y(v) }));
      ay.append(s("text", { x: m.l - 6, y: Y(v) + 4, "text-anchor": "end", class: "tick" }, tickText(o.y, v)));
    });
    ax.append(s("line", { x1: m.l, x2: W - m.r, y1: H - m.b, y2: H - m.b }));
    ay.append(s("line", { x1: m.l, x2: m.l, y1: m.t, y2: H - m.b }));
    ax.append(s("text", { x: (m.l + W - m.r) / 2, y: H - 6, "text-anchor": "middle" }, o.x.label));
    ay.append(s("text", { x: 11, y: (m.t + H - m.b) / 2, "text-anchor": "middle", transform: "rotate(-90 11 " + (m.t + H - m.b) / 2 + ")" }, o.y.label));
    svg.append(grid, ax, ay);
    parent.append(svg);
    function line(xs, ys, attrs) {
      var d = "";
      for (var i = 0; i < xs.length; i++) d += (i ? "L" : "M") + X(xs[i]).toFixed(2) + "," + Y(ys[i]).toFixed(2);
      var p = s("path", Object.assign({ d: d, fill: "none", "stroke-width": 2 }, attrs));
      svg.append(p);
      return p;
    }
    return { svg: svg, X: X, Y: Y, line: line, m: m, W: W, H: H };
  }

`;

/** The page's script. */
export const SCRIPT = String.raw`
"use strict";
(function () {
  var D = JSON.parse(document.getElementById("likeness-data").textContent);
` + HELPERS + String.raw`
  function className(label) { var n = D.classNames[label]; return n === undefined ? String(label) : n; }

  // ---- metrics ----------------------------------------------------------------------
  var cards = byId("metric-cards");
  D.metrics.forEach(function (mt) {
    cards.append(h("div", { class: "card", id: "metric-" + mt.key },
      h("div", { class: "name", text: mt.name }),
      h("div", { class: "value", text: Number.isFinite(mt.value) ? mt.value.toFixed(4) : "—" }),
      h("p", { class: "means", text: mt.means })));
  });

  // ---- rates at a threshold, from the ROC points (accept when distance ≤ t) --------
  function ratesAt(t) {
    var r = D.roc, i = -1, lo = 0, hi = r.thr.length - 1;
    while (lo <= hi) { var mid = (lo + hi) >> 1; if (r.thr[mid] <= t) { i = mid; lo = mid + 1; } else hi = mid - 1; }
    return i < 0 ? { far: 0, tar: 0 } : { far: r.far[i], tar: r.tar[i] };
  }

  // ---- ROC with a log FAR axis --------------------------------------------------------
  var roc = D.roc;
  var floor = Math.pow(10, Math.floor(Math.log10(0.5 / Math.max(1, roc.negatives))));
  floor = Math.max(floor, 1e-7);
  var rp = plot(byId("roc-plot"), { id: "roc", label: "ROC", x: { min: floor, max: 1, log: true, label: "false accept rate (log scale)" }, y: { min: 0, max: 1, label: "true accept rate" } });
  var chanceX = [], chanceY = [];
  for (var e = Math.log10(floor); e <= 0.0001; e += 0.05) { chanceX.push(Math.pow(10, e)); chanceY.push(Math.pow(10, e)); }
  rp.line(chanceX, chanceY, { stroke: "#9aa3b2", "stroke-dasharray": "4 4", "stroke-width": 1, id: "roc-chance" });
  rp.line(roc.far.map(function (f) { return Math.max(f, floor); }), roc.tar, { stroke: "#1f77b4", id: "roc-curve" });
  function marker(id, x, y, shape, colourName, text, below) {
    var px = rp.X(Math.max(x, floor)), py = rp.Y(y);
    var g = s("g", { id: id, transform: "translate(" + px.toFixed(2) + "," + py.toFixed(2) + ")" });
    g.append(shape === "circle" ? s("circle", { r: 5.5, fill: colourName, stroke: "white", "stroke-width": 1.5 })
      : s("path", { d: "M0,-7L7,0L0,7L-7,0Z", fill: colourName, stroke: "white", "stroke-width": 1.5 }));
    if (text) g.append(s("title", {}, text));
    rp.svg.append(g);
    return g;
  }
  marker("roc-eer", roc.eer.far, roc.eer.tar, "circle", "#d62728", "EER " + fmt(roc.eer.far, 3) + " (d ≤ " + fmt(roc.eer.threshold, 4) + ")", 17);
  marker("roc-threshold", roc.saved.far, roc.saved.tar, "diamond", "#2ca02c", "saved threshold " + fmt(roc.saved.threshold, 4), 31);
  var rocLegend = s("g", { transform: "translate(" + (rp.W - 262) + "," + (rp.H - rp.m.b - 64) + ")" });
  rocLegend.append(s("rect", { x: -6, y: -12, width: 256, height: 56, fill: "white", stroke: "#d9dee7" }));
  rocLegend.append(s("circle", { cx: 2, cy: -2, r: 5, fill: "#d62728" }), s("text", { x: 12, y: 2 }, "EER " + fmt(roc.eer.far, 3) + " at d ≤ " + fmt(roc.eer.threshold, 4)));
  rocLegend.append(s("path", { d: "M2,9L8,15L2,21L-4,15Z", fill: "#2ca02c" }), s("text", { x: 12, y: 19 }, "saved threshold " + fmt(roc.saved.threshold, 4) + ": FAR " + fmt(roc.saved.far, 3) + ", TAR " + fmt(roc.saved.tar, 3)));
  rocLegend.append(s("line", { x1: -4, x2: 8, y1: 32, y2: 32, stroke: "#9aa3b2", "stroke-dasharray": "4 4" }), s("text", { x: 12, y: 36 }, "chance (random distances)"));
  rp.svg.append(rocLegend);
  var selected = marker("roc-selected", roc.saved.far, roc.saved.tar, "circle", "rgba(0,0,0,0.35)", "");
  var rocReadout = byId("roc-readout");
  rp.svg.addEventListener("mousemove", function (ev) {
    var box = rp.svg.getBoundingClientRect(), px = (ev.clientX - box.left) * rp.W / box.width;
    var best = -1, bd = Infinity;
    for (var i = 0; i < roc.far.length; i++) { var dx = Math.abs(rp.X(Math.max(roc.far[i], floor)) - px); if (dx < bd) { bd = dx; best = i; } }
    if (best >= 0) rocReadout.textContent = "accept d ≤ " + fmt(roc.thr[best], 4) + ": FAR " + fmt(roc.far[best], 3) + ", TAR " + fmt(roc.tar[best], 3);
  });
  byId("roc-caption").textContent = "AUC " + roc.auc.toFixed(4) + " over " + roc.positives.toLocaleString("en") + " same-class and " +
    roc.negatives.toLocaleString("en") + " different-class pairs. FAR below " + fmt(floor * 2, 2) + " is drawn at the axis' left edge (it cannot be told from 0 with this many pairs). " +
    "Saved threshold: " + roc.saved.source + ".";

  // ---- distance histograms with a threshold -------------------------------------------
  var hd = D.hist, edges = hd.edges;
  var shares = function (c, total) { return c.map(function (x) { return total > 0 ? x / total : 0; }); };
  var sameS = shares(hd.same, hd.sameTotal), diffS = shares(hd.different, hd.differentTotal);
  var top = Math.max.apply(null, sameS.concat(diffS).concat([0.01]));
  var hp = plot(byId("hist-plot"), { id: "hist", label: "distance histograms", x: { min: edges[0], max: edges[edges.length - 1] > edges[0] ? edges[edges.length - 1] : edges[0] + 1, label: D.distance + " distance" }, y: { min: 0, max: top * 1.05, label: "share of pairs" } });
  function bars(values, fill, id) {
    var g = s("g", { id: id });
    for (var i = 0; i < values.length; i++) {
      var x0 = hp.X(edges[i]), x1 = hp.X(edges[i + 1]), y = hp.Y(values[i]);
      var r = s("rect", { x: x0.toFixed(2), y: y.toFixed(2), width: Math.max(0.5, x1 - x0 - 0.5).toFixed(2), height: Math.max(0, hp.Y(0) - y).toFixed(2), fill: fill });
      r.append(s("title", {}, "[" + fmt(edges[i], 4) + ", " + fmt(edges[i + 1], 4) + "): " + pct(values[i])));
      g.append(r);
    }
    hp.svg.append(g);
  }
  bars(diffS, "rgba(214,39,40,0.45)", "hist-different");
  bars(sameS, "rgba(31,119,180,0.55)", "hist-same");
  var legend = s("g", { transform: "translate(" + (hp.W - 190) + ",18)" });
  legend.append(s("rect", { width: 10, height: 10, fill: "rgba(31,119,180,0.55)" }), s("text", { x: 14, y: 9 }, "same class"));
  legend.append(s("rect", { y: 16, width: 10, height: 10, fill: "rgba(214,39,40,0.45)" }), s("text", { x: 14, y: 25 }, "different class"));
  hp.svg.append(legend);
  var tline = s("line", { id: "hist-threshold", y1: hp.m.t, y2: hp.Y(0), stroke: "#2ca02c", "stroke-width": 2 });
  hp.svg.append(tline);
  var slider = byId("threshold-slider");
  slider.min = String(edges[0]);
  slider.max = String(edges[edges.length - 1]);
  slider.step = String((edges[edges.length - 1] - edges[0]) / 1000 || 0.001);
  slider.value = String(roc.saved.threshold);
  function setThreshold(t, exact) {
    var x = Math.min(Math.max(hp.X(t), hp.m.l), hp.W - hp.m.r);
    tline.setAttribute("x1", x.toFixed(2));
    tline.setAttribute("x2", x.toFixed(2));
    var r = exact || ratesAt(t);
    byId("rates").textContent = "Accepting d ≤ " + fmt(t, 4) + ": same-class pairs accepted " + pct(r.tar) + " (rejected " + pct(1 - r.tar) +
      "), different-class pairs accepted " + pct(r.far) + " (rejected " + pct(1 - r.far) + ").";
    selected.setAttribute("transform", "translate(" + rp.X(Math.max(r.far, floor)).toFixed(2) + "," + rp.Y(r.tar).toFixed(2) + ")");
  }
  slider.addEventListener("input", function () { setThreshold(Number(slider.value)); });
  byId("threshold-reset").addEventListener("click", function () { slider.value = String(roc.saved.threshold); setThreshold(roc.saved.threshold, roc.saved); });
  setThreshold(roc.saved.threshold, roc.saved);

  // ---- CMC with chance level ---------------------------------------------------------------
  var c = D.cmc, lastRank = c.ranks[c.ranks.length - 1] || 1;
  var cp = plot(byId("cmc-plot"), { id: "cmc", label: "CMC", x: { min: 1, max: Math.max(2, lastRank), label: "rank k" }, y: { min: 0, max: 1, label: "identification accuracy at rank ≤ k" } });
  cp.line(c.ranks, c.chance, { stroke: "#9aa3b2", "stroke-dasharray": "4 4", "stroke-width": 1.5, id: "cmc-chance" });
  cp.line(c.ranks, c.accuracy, { stroke: "#1f77b4", id: "cmc-curve" });
  c.ranks.forEach(function (k, i) {
    var dot = s("circle", { cx: cp.X(k), cy: cp.Y(c.accuracy[i]), r: 3.5, fill: "#1f77b4" });
    dot.append(s("title", {}, "rank " + k + ": " + pct(c.accuracy[i]) + " (chance " + pct(c.chance[i]) + ")"));
    cp.svg.append(dot);
  });
  byId("cmc-caption").textContent = c.probes.toLocaleString("en") + " probes against a gallery of " + c.galleryRows + " items (" + c.classes +
    " classes); the dashed line is what a random ranking of the gallery scores.";

  // ---- training loss ------------------------------------------------------------------
  if (D.history) {
    var hs = D.history, lo = Math.min.apply(null, hs.loss), hi = Math.max.apply(null, hs.loss);
    var lp = plot(byId("loss-plot"), { id: "loss", label: "training loss", x: { min: 1, max: Math.max(2, hs.step[hs.step.length - 1]), label: "step" }, y: { min: Math.min(0, lo), max: hi > lo ? hi : lo + 1, label: "loss" } });
    lp.line(hs.step, hs.loss, { stroke: "#1f77b4", "stroke-width": 1.2 });
  } else {
    byId("loss").remove();
  }

  // ---- the projector ---------------------------------------------------------------
  var P = D.sample, n = P.row.length, canvas = byId("map"), ctx = canvas.getContext("2d");
  var hidden = {}, view = { k: 1, ox: 0, oy: 0 }, hover = -1, pinned = -1, W = 0, Hc = 0, pad = 18, dpr = 1;
  canvas.setAttribute("data-points", String(n));
  function size() {
    var box = canvas.getBoundingClientRect();
    dpr = window.devicePixelRatio || 1;
    W = box.width; Hc = box.height;
    canvas.width = Math.round(W * dpr); canvas.height = Math.round(Hc * dpr);
  }
  function sx(i) { var S = Math.min(W, Hc) - 2 * pad; return (W - S) / 2 + P.x[i] * S * view.k + view.ox; }
  function sy(i) { var S = Math.min(W, Hc) - 2 * pad; return (Hc - S) / 2 + (1 - P.y[i]) * S * view.k + view.oy; }
  function neighbours(i) { var out = []; for (var j = 0; j < P.k; j++) out.push({ p: P.nb[i * P.k + j], d: P.nbd[i * P.k + j] }); return out; }
  function draw() {
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, W, Hc);
    var r = Math.max(1.6, Math.min(4.5, 3 * Math.sqrt(view.k) * Math.sqrt(2000 / Math.max(n, 200)) / 2));
    ctx.globalAlpha = 0.8;
    for (var i = 0; i < n; i++) {
      if (hidden[P.label[i]]) continue;
      ctx.fillStyle = colour(P.label[i]);
      ctx.beginPath(); ctx.arc(sx(i), sy(i), r, 0, 2 * Math.PI); ctx.fill();
    }
    ctx.globalAlpha = 1;
    var focus = pinned >= 0 ? pinned : hover;
    if (focus >= 0) {
      neighbours(focus).forEach(function (nb) {
        ctx.strokeStyle = P.label[nb.p] === P.label[focus] ? "#2e7d32" : "#c62828";
        ctx.lineWidth = 1.2;
        ctx.beginPath(); ctx.moveTo(sx(focus), sy(focus)); ctx.lineTo(sx(nb.p), sy(nb.p)); ctx.stroke();
        ctx.beginPath(); ctx.arc(sx(nb.p), sy(nb.p), r + 2.5, 0, 2 * Math.PI); ctx.stroke();
      });
      ctx.strokeStyle = "#000"; ctx.lineWidth = 2;
      ctx.fillStyle = colour(P.label[focus]);
      ctx.beginPath(); ctx.arc(sx(focus), sy(focus), r + 3, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
    }
  }
  function nearest(mx, my) {
    var best = -1, bd = 100;
    for (var i = 0; i < n; i++) {
      if (hidden[P.label[i]]) continue;
      var dx = sx(i) - mx, dy = sy(i) - my, d2 = dx * dx + dy * dy;
      if (d2 < bd) { bd = d2; best = i; }
    }
    return best;
  }
  var info = byId("info");
  function show(i) {
    info.replaceChildren();
    if (i < 0) { info.append(h("p", { class: "means", text: "Hover over a point to see its image, class and nearest neighbours; click to pin it." })); return; }
    var row = P.row[i];
    info.setAttribute("data-row", String(row));
    info.append(h("div", {}, h("img", { class: "big", src: D.thumbs[row], alt: className(P.label[i]), id: "info-thumb" })));
    info.append(h("div", { id: "info-label", text: className(P.label[i]) }), h("div", { class: "means", text: "test item " + row + (pinned === i ? " (pinned: click elsewhere to release)" : "") }));
    info.append(h("div", { class: "means", text: "nearest " + P.k + " of the " + n.toLocaleString("en") + " mapped items (" + D.distance + "):" }));
    var list = h("div", { id: "info-neighbours" });
    neighbours(i).forEach(function (nb) {
      var ok = P.label[nb.p] === P.label[i];
      var img = h("img", { src: D.thumbs[P.row[nb.p]], alt: className(P.label[nb.p]) });
      img.style.borderColor = ok ? "#2e7d32" : "#c62828";
      list.append(h("div", { class: "nb" }, img, h("span", { class: ok ? "ok" : "no", text: ok ? "✓" : "✗" }),
        h("span", { text: className(P.label[nb.p]) + " · d " + fmt(nb.d, 3) })));
    });
    info.append(list);
  }
  var drag = null;
  canvas.addEventListener("mousemove", function (ev) {
    var box = canvas.getBoundingClientRect(), mx = ev.clientX - box.left, my = ev.clientY - box.top;
    if (drag) {
      view.ox = drag.ox + mx - drag.x; view.oy = drag.oy + my - drag.y;
      if (Math.abs(mx - drag.x) + Math.abs(my - drag.y) > 3) drag.moved = true;
      draw(); return;
    }
    var i = nearest(mx, my);
    if (i !== hover) { hover = i; if (pinned < 0) show(i); draw(); }
  });
  canvas.addEventListener("mouseleave", function () { hover = -1; if (pinned < 0) show(-1); draw(); });
  canvas.addEventListener("mousedown", function (ev) {
    var box = canvas.getBoundingClientRect();
    drag = { x: ev.clientX - box.left, y: ev.clientY - box.top, ox: view.ox, oy: view.oy, moved: false };
    canvas.classList.add("dragging");
  });
  window.addEventListener("mouseup", function (ev) {
    if (!drag) return;
    var moved = drag.moved; drag = null; canvas.classList.remove("dragging");
    if (!moved && ev.target === canvas) {
      var box = canvas.getBoundingClientRect();
      var i = nearest(ev.clientX - box.left, ev.clientY - box.top);
      pinned = i === pinned ? -1 : i;
      show(pinned >= 0 ? pinned : i); draw();
    }
  });
  function zoom(f, mx, my) {
    var k = Math.min(200, Math.max(0.5, view.k * f)); f = k / view.k;
    var S = Math.min(W, Hc) - 2 * pad, bx = (W - S) / 2, by = (Hc - S) / 2;
    view.ox = mx - bx - (mx - bx - view.ox) * f; view.oy = my - by - (my - by - view.oy) * f; view.k = k;
    draw();
  }
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var box = canvas.getBoundingClientRect();
    zoom(Math.exp(-ev.deltaY * 0.0015), ev.clientX - box.left, ev.clientY - box.top);
  }, { passive: false });
  canvas.addEventListener("dblclick", function () { view = { k: 1, ox: 0, oy: 0 }; draw(); });
  byId("zoom-in").addEventListener("click", function () { zoom(1.5, W / 2, Hc / 2); });
  byId("zoom-out").addEventListener("click", function () { zoom(1 / 1.5, W / 2, Hc / 2); });
  byId("zoom-reset").addEventListener("click", function () { view = { k: 1, ox: 0, oy: 0 }; draw(); });
  var counts = {};
  P.label.forEach(function (l) { counts[l] = (counts[l] || 0) + 1; });
  var leg = byId("legend");
  Object.keys(counts).map(Number).sort(function (a, b) { return a - b; }).forEach(function (l) {
    var b = h("button", { type: "button", "data-label": String(l), title: "show or hide this class" },
      h("span", { class: "swatch" }), className(l) + " (" + counts[l] + ")");
    b.firstChild.style.background = colour(l);
    b.addEventListener("click", function () { hidden[l] = !hidden[l]; b.classList.toggle("off", !!hidden[l]); draw(); });
    leg.append(b);
  });
  byId("map-note").textContent = D.sample.map + " map of " + D.sample.note + ", coloured by class. Scroll to zoom, drag to pan, double-click to reset.";
  size(); draw(); show(-1);
  window.addEventListener("resize", function () { size(); draw(); });

  // ---- neighbour galleries ----------------------------------------------------------------
  function galleryRow(q) {
    var row = h("div", { class: "row" });
    var rankText = q.firstCorrect === null ? "no other item of its class" : "first same-class match at rank " + q.firstCorrect;
    row.append(h("figure", { class: "query" }, h("img", { src: D.thumbs[q.row], alt: className(q.label) }),
      h("figcaption", { text: className(q.label) + " · item " + q.row }), h("figcaption", { class: "means", text: rankText })));
    q.neighbours.forEach(function (nb, i) {
      row.append(h("figure", { class: nb[2] ? "good" : "bad", title: className(nb[3]) + " · item " + nb[0] }, h("img", { src: D.thumbs[nb[0]], alt: className(nb[3]) }),
        h("figcaption", { text: (i + 1) + ". " + (nb[2] ? "✓ " : "✗ ") + fmt(nb[1], 3) })));
    });
    return row;
  }
  D.gallery.random.forEach(function (q) { byId("gallery-random").append(galleryRow(q)); });
  D.gallery.worst.forEach(function (q) { byId("gallery-worst").append(galleryRow(q)); });

  // ---- identification confusion -----------------------------------------------------------
  var cf = D.confusion;
  if (cf.labels.length > 0) {
    var table = h("table", { class: "confusion", id: "confusion-table" });
    var head = h("tr", {}, h("th", { text: "true ↓ / predicted →" }));
    cf.labels.forEach(function (l) { head.append(h("th", { class: "rot", text: className(l) })); });
    head.append(h("th", { text: "rank-1" }));
    table.append(head);
    cf.counts.forEach(function (rowCounts, i) {
      var total = rowCounts.reduce(function (a, b) { return a + b; }, 0);
      var tr = h("tr", {}, h("th", { text: className(cf.labels[i]) }));
      rowCounts.forEach(function (v, j) {
        var share = total > 0 ? v / total : 0;
        var td = h("td", { text: String(v), title: className(cf.labels[i]) + " → " + className(cf.labels[j]) + ": " + pct(share) });
        td.style.background = i === j ? "rgba(46,125,50," + (0.1 + 0.7 * share).toFixed(3) + ")" : (v > 0 ? "rgba(198,40,40," + (0.08 + 0.8 * share).toFixed(3) + ")" : "");
        tr.append(td);
      });
      tr.append(h("td", { text: total > 0 ? pct(rowCounts[i] / total) : "—" }));
      table.append(tr);
    });
    byId("confusion-view").append(table);
  } else {
    var list = h("table", { class: "confusion", id: "confusion-top" }, h("tr", {}, h("th", { text: "true class" }), h("th", { text: "taken for" }), h("th", { text: "probes" })));
    cf.top.forEach(function (t) { list.append(h("tr", {}, h("td", { text: className(t[0]) }), h("td", { text: className(t[1]) }), h("td", { text: String(t[2]) }))); });
    byId("confusion-view").append(h("p", { class: "means", text: "Too many classes for a matrix: the " + cf.top.length + " most frequent confusions." }), list);
  }
  byId("confusion-note").textContent = "Each of " + cf.probes.toLocaleString("en") + " probes is assigned the class of its nearest gallery item (" + cf.galleryPerClass +
    " per class, the evaluation's seeded split); rows are true classes, columns predicted ones. Overall " + pct(cf.probes > 0 ? cf.right / cf.probes : NaN) + " correct.";

  // ---- configuration --------------------------------------------------------------------------
  var ct = h("table", { class: "config", id: "config-table" });
  D.config.forEach(function (kv) { ct.append(h("tr", {}, h("td", { text: kv[0] }), h("td", { text: kv[1] }))); });
  byId("config-view").append(ct);

  // hooks for tests and for scripting the page
  window.likenessReport = {
    points: n,
    screenOf: function (i) { var box = canvas.getBoundingClientRect(); return { x: box.left + sx(i), y: box.top + sy(i) }; },
    canvasOf: function (i) { return { x: sx(i), y: sy(i) }; },
    rowOf: function (i) { return P.row[i]; },
    labelOf: function (i) { return className(P.label[i]); },
    neighboursOf: function (i) { return neighbours(i).map(function (nb) { return P.row[nb.p]; }); },
    ready: true,
  };
})();
`;
