// Compare 2 to 10 artifacts: a table of parameters and result figures (optionally only the rows that differ), deltas against a chosen
// baseline, overlaid series for runs and telemetry, a structural diff for models.
import { api, endpoints } from "./api.js";
import { lineChart } from "./chart.js";
import { clear, el, formatDate, formatNumber, showError, typeBadge } from "./common.js";

export const MAX_COMPARE = 10;
const MAX_CHARTS = 12;
const FIGURES = ["sum", "mean", "max", "last"];
const seriesName = (s) => (s.component_id ? `${s.measure}@${s.component_id}` : s.measure);
const prov = (a) => (a.metadata && a.metadata.provenance) || {};

function facts(a) {
  const grid = (a.metadata && a.metadata.grid) || {};
  const rows = [
    ["Type", a.type], ["Created", formatDate(a.created)], ["Seed", (a.metadata || {}).rng_seed ?? "–"],
    ["Template", prov(a).template_id || "–"], ["Model", prov(a).model_id || "–"],
    ["Grid", grid.bins ? `${grid.bins} × ${grid.binMinutes ?? `${grid.binSize} ${grid.binUnit}`}` : "–"],
    ["Series", a.series_count ?? 0], ["Size", a.size_bytes], ["Tags", (a.tags || []).join(", ") || "–"],
  ];
  for (const [k, v] of Object.entries(prov(a).parameters || {})) rows.push([`Parameter ${k}`, Array.isArray(v) ? v.join(", ") : v]);
  const summary = a.series_summary || {};  // the stored per-series summaries: result figures without loading series
  for (const node of Object.keys(summary).sort()) {
    for (const stat of FIGURES) rows.push([`${node} ${stat}`, formatNumber(summary[node][stat])]);
  }
  return new Map(rows.map(([k, v]) => [k, String(v)]));
}

function parameterTable(artifacts, baseline, onlyDiffering) {
  const all = artifacts.map(facts);
  const keys = [...new Set(all.flatMap((m) => [...m.keys()]))];
  const rows = keys.map((key) => {
    const values = all.map((m) => m.get(key) ?? "–");
    return { key, values, differs: new Set(values).size > 1 };
  }).filter((r) => !onlyDiffering || r.differs);
  return el("table", { class: "data dense", id: "param-table" },
    el("caption", { class: "visually-hidden" }, "Parameters and facts of the compared artifacts"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Field"), artifacts.map((a) => el("th", { scope: "col", class: a.id === baseline ? "is-baseline" : "" },
      el("a", { href: `/artifacts/${encodeURIComponent(a.id)}` }, a.title || a.id), a.id === baseline ? " (baseline)" : "")))),
    el("tbody", {}, rows.map((r) => el("tr", { class: r.differs ? "differs" : "", dataset: { field: r.key } },
      el("th", { scope: "row" }, r.key), r.values.map((v, i) => el("td", { class: artifacts[i].id === baseline ? "is-baseline" : "" }, v))))));
}

function deltaTable(others, results) {
  const names = results[0] ? results[0].series.map(seriesName) : [];
  return el("table", { class: "data dense", id: "many-delta-table" },
    el("caption", { class: "visually-hidden" }, "Sum of each series, minus the baseline's"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "Series"), others.map((a) => el("th", { scope: "col", class: "num" }, `Δ sum: ${a.title || a.id}`)))),
    el("tbody", {}, names.map((name) => el("tr", { dataset: { series: name } }, el("th", { scope: "row", class: "mono" }, name),
      results.map((r) => {
        const s = r.series.find((x) => seriesName(x) === name);
        const pct = s && s.delta.pct_change !== null && s.delta.pct_change !== undefined ? ` (${formatNumber(s.delta.pct_change, 1)} %)` : "";
        return el("td", { class: "num" }, s ? `${formatNumber(s.delta.sum)}${pct}` : "not in this one");
      })))));
}

function overlays(baselineArtifact, others, results) {
  const box = el("section", { class: "panel", id: "many-charts", "aria-labelledby": "many-charts-heading" },
    el("h2", { id: "many-charts-heading" }, "Series overlaid"));
  const names = results[0] ? results[0].series.map(seriesName).slice(0, MAX_CHARTS) : [];
  for (const name of names) {
    const chart = el("div", { class: "chart-box", dataset: { series: name } });
    box.append(el("h3", {}, name), chart);
    const lines = [];
    results.forEach((r, i) => {
      const s = r.series.find((x) => seriesName(x) === name);
      if (!s || !s.values) return;
      if (!lines.length) lines.push({ label: baselineArtifact.title || baselineArtifact.id, values: s.values.base });
      lines.push({ label: others[i].title || others[i].id, values: s.values.other, dash: [6, 4] });
    });
    const length = Math.max(...lines.map((l) => l.values.length));
    lineChart(chart, { x: Array.from({ length }, (_, i) => i), series: lines, height: 220, label: name });
  }
  return box;
}

/** Nodes changed, side by side: each field of the baseline's node next to the other's. */
export function nodeChanges(changed) {
  const fields = (n) => [...new Set([...Object.keys(n.base || {}), ...Object.keys(n.other || {})])];
  const show = (v) => (v === undefined ? "–" : typeof v === "object" ? (Array.isArray(v) ? v.join(", ") : Object.entries(v).map(([k, x]) => `${k}: ${x}`).join("; ")) : String(v));
  return el("table", { class: "data dense node-changes" },
    el("thead", {}, el("tr", {}, ["Node", "Field", "Baseline", "Other"].map((h) => el("th", { scope: "col" }, h)))),
    el("tbody", {}, changed.flatMap((n) => fields(n).filter((f) => show(n.base?.[f]) !== show(n.other?.[f])).map((f, i) => el("tr", {},
      el("th", { scope: "row", class: "mono" }, i === 0 ? n.id : ""), el("td", {}, f),
      el("td", { class: "mono removed" }, show(n.base?.[f])), el("td", { class: "mono added" }, show(n.other?.[f])))))));
}

function modelDiffs(others, results) {
  return el("section", { class: "panel", id: "many-model-diff", "aria-labelledby": "many-diff-heading" },
    el("h2", { id: "many-diff-heading" }, "Model structure against the baseline"),
    results.map((r, i) => el("div", { class: "model-diff" },
      el("h3", {}, others[i].title || others[i].id),
      el("p", {}, r.grid_changed ? "The grid changed. " : "Same grid. ",
        `Nodes added: ${(r.nodes_added || []).join(", ") || "none"}. Removed: ${(r.nodes_removed || []).join(", ") || "none"}.`),
      (r.nodes_changed || []).length ? el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Nodes changed (scrolls)" }, nodeChanges(r.nodes_changed)) : el("p", { class: "muted" }, "No node changed."))));
}

/** Render the comparison of `ids` (2..10) against `baseline` into `root`. */
export async function compareMany(root, ids, baseline, onBaseline) {
  clear(root).append(el("p", { class: "muted loading" }, `Comparing ${ids.length} artifacts…`));
  root.setAttribute("aria-busy", "true");
  try {
    const artifacts = await Promise.all(ids.map((id) => api(endpoints.artifact(id))));
    const base = artifacts.find((a) => a.id === baseline) || artifacts[0];
    const others = artifacts.filter((a) => a !== base);
    const results = await Promise.all(others.map((o) => api(endpoints.compare(base.id), {
      method: "POST", json: { other: o.id, include_values: base.type !== "model" },
    })));
    const only = el("input", { type: "checkbox", id: "only-differing" });
    const tableBox = el("div", { class: "table-wrap" }, parameterTable(artifacts, base.id, false));
    only.addEventListener("change", () => clear(tableBox).append(parameterTable(artifacts, base.id, only.checked)));
    const choose = el("select", { id: "baseline-select" }, artifacts.map((a) => el("option", { value: a.id, selected: a === base }, a.title || a.id)));
    choose.addEventListener("change", () => onBaseline(choose.value));
    clear(root).append(...[
      el("section", { class: "panel", "aria-labelledby": "many-heading" },
        el("h2", { id: "many-heading" }, `${artifacts.length} artifacts`),
        el("div", { class: "many-controls" },
          el("label", { for: "baseline-select" }, "Baseline"), choose,
          el("label", { class: "check" }, only, " Only rows that differ")),
        el("div", { class: "many-types" }, artifacts.map((a) => typeBadge(a.type))),
        tableBox),
      base.type === "model" ? modelDiffs(others, results)
        : el("section", { class: "panel", "aria-labelledby": "many-delta-heading" },
          el("h2", { id: "many-delta-heading" }, "Deltas against the baseline"), el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Deltas (scrolls)" }, deltaTable(others, results))),
      base.type === "model" ? null : overlays(base, others, results)].filter(Boolean));
  } catch (err) {
    clear(root).append(el("p", { class: "muted" }, "No comparison."));
    showError(err, "Comparing");
  } finally {
    root.removeAttribute("aria-busy");
  }
}
