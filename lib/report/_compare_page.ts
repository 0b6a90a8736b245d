/**
 * The run comparison page: HTML, style and script (plain JavaScript, data inline).
 *
 * @module
 */
import { escapeXml } from "./_markup.ts";
import { HELPERS, STYLE } from "./_interactive_script.ts";
import { GENERATOR } from "./_interactive_write.ts";

/** One run as the page reads it. */
export interface PageRun {
  readonly name: string;
  /** history.jsonl relative to the page, for the live view, or null. */
  readonly href: string | null;
  readonly steps: { readonly step: number[]; readonly loss: number[] };
  readonly validation: Record<string, { readonly step: number[]; readonly value: number[] }>;
  readonly metrics: Record<string, number>;
  readonly config: Record<string, string>;
}

const COMPARE_STYLE = String.raw`
.runs button { font: inherit; font-size: 12px; border: 1px solid var(--line); background: white; border-radius: 4px; padding: 2px 8px; margin: 2px; cursor: pointer; }
.runs button.off { opacity: .35; text-decoration: line-through; }
table.metrics td.best { font-weight: 700; background: #e8f5e9; }
table.diff tr.differs td { background: #fff8e1; }
table.diff td:first-child, table.metrics td:first-child { text-align: left; }
table.diff td { text-align: left; font-family: ui-monospace, "DejaVu Sans Mono", monospace; word-break: break-all; }
details { margin-top: 8px; }
#live { font-size: 12px; color: var(--muted); }
`;

const COMPARE_SCRIPT = String.raw`
"use strict";
(function () {
  var D = JSON.parse(document.getElementById("likeness-data").textContent);
` + HELPERS + String.raw`
  var hidden = Object.create(null);
  var LOWER = /(^|\.)(eer|loss|lastLoss|finalLoss|trainSeconds)$|loss$/i;
  var HIGHER = /(auc|tar|rank|precision|map|accuracy|imagesPerSecond|score|recall)/i;

  // ---- run toggles ----------------------------------------------------------------
  var runsBar = byId("runs");
  D.runs.forEach(function (r, i) {
    var b = h("button", { type: "button", "data-run": String(i) }, h("span", { class: "swatch" }), r.name);
    b.firstChild.style.background = colour(i);
    b.addEventListener("click", function () { hidden[i] = !hidden[i]; b.classList.toggle("off", !!hidden[i]); drawCurves(); });
    runsBar.append(b);
  });

  // ---- curves over steps ----------------------------------------------------------------
  function smooth(values, a) {
    if (!(a > 0)) return values;
    var out = [], m = null;
    for (var i = 0; i < values.length; i++) { var v = values[i]; if (!Number.isFinite(v)) { out.push(v); continue; } m = m === null ? v : a * m + (1 - a) * v; out.push(m); }
    return out;
  }
  function curvePlot(parent, id, label, series, logY) {
    parent.replaceChildren();
    var xs = [], ys = [];
    series.forEach(function (sr) { sr.x.forEach(function (x, i) { if (Number.isFinite(sr.y[i]) && (!logY || sr.y[i] > 0)) { xs.push(x); ys.push(sr.y[i]); } }); });
    if (xs.length === 0) { parent.append(h("p", { class: "means", text: "nothing logged yet" })); return null; }
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs), y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    if (x1 <= x0) x1 = x0 + 1;
    if (logY) { y0 = Math.pow(10, Math.floor(Math.log10(y0))); y1 = Math.pow(10, Math.ceil(Math.log10(y1))); if (y1 <= y0) y1 = y0 * 10; }
    else { if (y1 <= y0) { y1 = y0 + 1; } var pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad; }
    var p = plot(parent, { id: id, label: label, width: 640, height: 320, x: { min: x0, max: x1, label: "step" }, y: { min: y0, max: y1, log: logY, label: label } });
    series.forEach(function (sr) {
      var fx = [], fy = [];
      sr.x.forEach(function (x, i) { if (Number.isFinite(sr.y[i]) && (!logY || sr.y[i] > 0)) { fx.push(x); fy.push(sr.y[i]); } });
      p.line(fx, fy, { stroke: colour(sr.run), "stroke-width": 1.5, "data-run": String(sr.run), class: "curve" });
    });
    var readout = h("div", { class: "readout", text: "Move over the plot to read the values." });
    parent.append(readout);
    p.svg.addEventListener("mousemove", function (ev) {
      var box = p.svg.getBoundingClientRect(), px = (ev.clientX - box.left) * p.W / box.width;
      var step = x0 + (px - p.m.l) / (p.W - p.m.l - p.m.r) * (x1 - x0);
      var parts = ["step " + Math.round(step)];
      series.forEach(function (sr) {
        var best = -1, bd = Infinity;
        for (var i = 0; i < sr.x.length; i++) { var d = Math.abs(sr.x[i] - step); if (d < bd) { bd = d; best = i; } }
        if (best >= 0) parts.push(D.runs[sr.run].name + " " + fmt(sr.y[best], 4));
      });
      readout.textContent = parts.join(" · ");
    });
    return p;
  }
  var smoothing = byId("smoothing"), logLoss = byId("log-loss");
  function drawCurves() {
    var a = Number(smoothing.value);
    byId("smoothing-value").textContent = a.toFixed(2);
    var series = [];
    D.runs.forEach(function (r, i) { if (!hidden[i] && r.steps.step.length > 0) series.push({ run: i, x: r.steps.step, y: smooth(r.steps.loss, a) }); });
    curvePlot(byId("loss-plot"), "loss", "training loss", series, logLoss.checked);
    var names = Object.create(null);
    D.runs.forEach(function (r) { Object.keys(r.validation).forEach(function (k) { names[k] = true; }); });
    var box = byId("validation-plots");
    box.replaceChildren();
    var keys = Object.keys(names).sort();
    byId("validation").hidden = keys.length === 0;
    keys.forEach(function (k) {
      var cell = h("div", {}, h("h3", { text: k }));
      box.append(cell);
      var div = h("div", {});
      cell.append(div);
      var vs = [];
      D.runs.forEach(function (r, i) { var v = r.validation[k]; if (!hidden[i] && v) vs.push({ run: i, x: v.step, y: v.value }); });
      curvePlot(div, "validation-" + k.replace(/[^A-Za-z0-9_-]/g, "_"), k, vs, false);
    });
  }
  smoothing.addEventListener("input", drawCurves);
  logLoss.addEventListener("change", drawCurves);

  // ---- final metrics ----------------------------------------------------------------------
  function drawMetrics() {
    var names = Object.create(null);
    D.runs.forEach(function (r) { Object.keys(r.metrics).forEach(function (k) { names[k] = true; }); });
    var table = h("table", { class: "metrics", id: "metrics-table" });
    var head = h("tr", {}, h("th", { text: "metric" }));
    D.runs.forEach(function (r, i) { var th = h("th", {}, h("span", { class: "swatch" }), r.name); th.firstChild.style.background = colour(i); head.append(th); });
    table.append(head);
    Object.keys(names).sort().forEach(function (k) {
      var values = D.runs.map(function (r) { return r.metrics[k]; });
      var finite = values.filter(function (v) { return Number.isFinite(v); });
      var dir = LOWER.test(k) ? -1 : HIGHER.test(k) ? 1 : 0;
      var best = dir === 0 || finite.length < 2 ? null : (dir > 0 ? Math.max : Math.min).apply(null, finite);
      var tr = h("tr", { "data-metric": k }, h("td", { text: k + (dir > 0 ? " ↑" : dir < 0 ? " ↓" : "") }));
      values.forEach(function (v) {
        var td = h("td", { text: Number.isFinite(v) ? (Number.isInteger(v) || Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(4)) : "—" });
        if (best !== null && v === best) td.className = "best";
        tr.append(td);
      });
      table.append(tr);
    });
    byId("metrics-view").replaceChildren(table);
  }

  // ---- configuration diff ------------------------------------------------------------------
  function drawConfig() {
    var keys = Object.create(null);
    D.runs.forEach(function (r) { Object.keys(r.config).forEach(function (k) { keys[k] = true; }); });
    var differs = [], same = [];
    Object.keys(keys).sort().forEach(function (k) {
      var values = D.runs.map(function (r) { return k in r.config ? r.config[k] : "—"; });
      (values.every(function (v) { return v === values[0]; }) ? same : differs).push([k, values]);
    });
    function table(rows, cls, id) {
      var t = h("table", { class: "diff", id: id });
      var head = h("tr", {}, h("th", { text: "setting" }));
      D.runs.forEach(function (r) { head.append(h("th", { text: r.name })); });
      t.append(head);
      rows.forEach(function (row) {
        var tr = h("tr", { class: cls }, h("td", { text: row[0] }));
        row[1].forEach(function (v) { tr.append(h("td", { text: v })); });
        t.append(tr);
      });
      return t;
    }
    var view = byId("config-view");
    view.replaceChildren();
    view.append(h("p", { class: "means", text: differs.length === 0 ? "All runs have the same settings." : differs.length + " setting" + (differs.length === 1 ? "" : "s") + " differ:" }));
    if (differs.length > 0) view.append(table(differs, "differs", "config-differs"));
    if (same.length > 0) view.append(h("details", {}, h("summary", { text: same.length + " settings the same in all runs" }), table(same, "", "config-same")));
  }

  // ---- live view: re-read history.jsonl when the page is served ------------------------
  function parseHistory(text) {
    var lines = text.split("\n"); lines.pop(); // a torn last line (no newline) is ignored
    var steps = { step: [], loss: [] }, validation = Object.create(null);
    for (var i = 1; i < lines.length; i++) {
      var r; try { r = JSON.parse(lines[i]); } catch (e) { continue; }
      if (r.kind === "step") {
        while (steps.step.length > 0 && steps.step[steps.step.length - 1] >= r.step) { steps.step.pop(); steps.loss.pop(); }
        for (var k in validation) { var v = validation[k]; while (v.step.length > 0 && v.step[v.step.length - 1] >= r.step) { v.step.pop(); v.value.pop(); } }
        steps.step.push(r.step); steps.loss.push(r.loss === null ? NaN : r.loss);
      } else if (r.kind === "validation" && r.metrics) {
        for (var name in r.metrics) { var m = validation[name] || (validation[name] = { step: [], value: [] }); m.step.push(r.step); m.value.push(r.metrics[name] === null ? NaN : r.metrics[name]); }
      }
    }
    return { steps: steps, validation: validation };
  }
  var live = byId("live");
  if (/^https?:$/.test(location.protocol) && D.live > 0 && D.runs.some(function (r) { return r.href; })) {
    var refresh = function () {
      Promise.all(D.runs.map(function (r) {
        if (!r.href) return null;
        return fetch(r.href, { cache: "no-store" }).then(function (res) { return res.ok ? res.text() : null; }).then(function (text) {
          if (text === null) return;
          var parsed = parseHistory(text);
          r.steps = parsed.steps; r.validation = parsed.validation;
          if (parsed.steps.step.length > 0) r.metrics["history.steps"] = parsed.steps.step[parsed.steps.step.length - 1];
        }, function () { return null; });
      })).then(function () {
        drawCurves(); drawMetrics();
        live.textContent = "live: history re-read at " + new Date().toLocaleTimeString() + " (every " + D.live + " s)";
        live.setAttribute("data-refreshes", String(Number(live.getAttribute("data-refreshes") || "0") + 1));
      });
    };
    setInterval(refresh, D.live * 1000);
    live.textContent = "live: re-reading each run's history.jsonl every " + D.live + " s";
  } else {
    live.textContent = "A snapshot of " + D.created + ". Served over HTTP (from a folder holding the runs) this page re-reads each run's history.jsonl and follows runs still training.";
  }

  drawCurves(); drawMetrics(); drawConfig();
  window.likenessCompare = {
    runs: D.runs.length,
    stepsOf: function (i) { var st = D.runs[i].steps.step; return st.length === 0 ? 0 : st[st.length - 1]; },
    ready: true,
  };
})();
`;

/** JSON inside a `<script>` element: nothing in it can close the element. */
const inert = (json: string) =>
  json.replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");

/** The comparison page. */
export function comparePage(
  title: string,
  data: { runs: PageRun[]; live: number; created: string },
): string {
  const t = escapeXml(title);
  const names = data.runs.map((r) => r.name).join(", ");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<meta name="generator" content="${GENERATOR.replace("interactive-report", "compare")}">
<title>${t}</title>
<style>${STYLE}${COMPARE_STYLE}</style>
</head>
<body>
<header>
<h1>${t}</h1>
<p>${data.runs.length} runs side by side: ${escapeXml(names)}.</p>
<p id="live"></p>
<nav><a href="#curves">curves</a><a href="#metrics">final metrics</a><a href="#config">configuration</a></nav>
</header>
<main>
<section id="curves"><h2>Training loss over steps</h2>
<p class="means">The loss of every logged step of each run (click a run to hide it). Smoothing averages each curve exponentially, so trends show through the noise of single batches.</p>
<div class="runs" id="runs"></div>
<div class="tools"><label>smoothing <input type="range" id="smoothing" min="0" max="0.99" step="0.01" value="0"> <span id="smoothing-value"></span></label>
<label><input type="checkbox" id="log-loss"> log scale</label></div>
<div id="loss-plot"></div></section>
<section id="validation"><h2>Validation over steps</h2>
<p class="means">Each validation metric the runs logged, at the steps where it was measured.</p>
<div class="plots" id="validation-plots"></div></section>
<section id="metrics"><h2>Final metrics</h2>
<p class="means">Each run's numbers from its metrics.json (verification, identification, retrieval, training speed) and its last logged step and validation; the best value of each row is bold (↑: higher is better, ↓: lower is better).</p>
<div id="metrics-view"></div></section>
<section id="config"><h2>Configuration</h2>
<p class="means">What differs between the runs comes first; settings shared by all are folded below.</p>
<div id="config-view"></div></section>
</main>
<script type="application/json" id="likeness-data">${inert(JSON.stringify(data))}</script>
<script>${COMPARE_SCRIPT}</script>
</body>
</html>
`;
}
