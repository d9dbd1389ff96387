// Compare two artifacts: pickers, POST /v1/artifacts/<base>/compare, overlay charts, a sortable delta table.
import { api, endpoints } from "./api.js";
import { lineChart } from "./chart.js";
import { $, clear, clearError, el, formatNumber, showError, startPage, typeBadge } from "./common.js";
import { MAX_COMPARE, compareMany, nodeChanges } from "./compare-many.js";
import { picker } from "./picker.js";

const MAX_CHARTS = 24;
const result = $("#compare-result");
let base;
let other;
let sortKey = "name";
let sortDir = 1;
let lastSeries = [];

const seriesName = (s) => (s.component_id ? `${s.measure}@${s.component_id}` : s.measure);

const COLUMNS = [
  ["name", "Series", (s) => seriesName(s), false],
  ["points", "Points", (s) => s.points, true],
  ["base_sum", "Base sum", (s) => s.base?.sum, true],
  ["other_sum", "Other sum", (s) => s.other?.sum, true],
  ["delta_sum", "Δ sum", (s) => s.delta?.sum, true],
  ["delta_mean", "Δ mean", (s) => s.delta?.mean, true],
  ["max_abs", "Max |Δ|", (s) => s.delta?.max_abs, true],
  ["rmse", "RMSE", (s) => s.delta?.rmse, true],
  ["pct", "% change", (s) => s.delta?.pct_change, true],
];

function readUrl() {
  const params = new URLSearchParams(window.location.search);
  const ids = [...new Set((params.get("ids") || "").split(",").map((i) => i.trim()).filter(Boolean))];
  return { base: params.get("base") || "", other: params.get("other") || "", ids, baseline: params.get("baseline") || "" };
}

async function runCompare(baseId, otherId) {
  clear(result).append(el("p", { class: "muted" }, "Comparing…"));
  result.setAttribute("aria-busy", "true");
  try {
    const data = await api(endpoints.compare(baseId), { method: "POST", json: { other: otherId, include_values: true } });
    clearError();
    render(data);
  } catch (err) {
    clear(result).append(el("p", { class: "muted" }, "No comparison."));
    showError(err, "Comparing");
  } finally {
    result.removeAttribute("aria-busy");
  }
}

function side(label, summary) {
  return el("div", { class: "side" }, el("h3", {}, label), typeBadge(summary.type), " ",
    el("a", { href: `/artifacts/${encodeURIComponent(summary.id)}` }, summary.title || summary.id),
    el("p", { class: "mono muted" }, summary.id));
}

function gridText(grid) {
  if (!grid) return "";
  const g = (x) => (x ? `${x.bins} bins × ${x.bin_minutes} min` : "?");
  const compat = grid.compatible === undefined ? "" : grid.compatible ? " (compatible)" : " (not compatible: values are compared over the common bins, if any)";
  return `Grid: base ${g(grid.base)}, other ${g(grid.other)}${compat}`;
}

function render(data) {
  clear(result);
  result.append(el("div", { class: "panel sides" }, side("Base", data.base), side("Other", data.other)),
    el("p", { id: "grid-info" }, gridText(data.grid)));
  if ("grid_changed" in data || "nodes_added" in data) {
    result.append(specDiff(data));
    return;
  }
  lastSeries = data.series || [];
  result.append(el("section", { class: "panel", "aria-labelledby": "delta-heading" },
    el("h2", { id: "delta-heading" }, `Matched series (${lastSeries.length})`),
    lastSeries.length ? el("div", { class: "table-wrap", id: "delta-wrap" }) : el("p", { class: "muted" }, "No series in common.")));
  if (lastSeries.length) renderTable();
  result.append(onlyList("Only in base", data.only_in_base, "only-base"), onlyList("Only in other", data.only_in_other, "only-other"));
  if (lastSeries.length) {
    const charts = el("section", { class: "panel", "aria-labelledby": "charts-heading", id: "charts" },
      el("h2", { id: "charts-heading" }, "Base vs other"));
    result.append(charts);
    const shown = lastSeries.slice(0, MAX_CHARTS);
    if (lastSeries.length > MAX_CHARTS) charts.append(el("p", { class: "muted" }, `Showing the first ${MAX_CHARTS} of ${lastSeries.length} series.`));
    for (const s of shown) {
      const box = el("div", { class: "chart-box", dataset: { series: seriesName(s) } });
      charts.append(el("h3", {}, seriesName(s)), box);
      if (!s.values) {
        box.append(el("p", { class: "muted" }, "No values returned."));
        continue;
      }
      const length = Math.max(s.values.base.length, s.values.other.length);
      lineChart(box, {
        x: Array.from({ length }, (_, i) => i),
        series: [
          { label: "base", values: s.values.base },
          { label: "other", values: s.values.other, dash: [6, 4] },
        ],
        height: 220,
        label: seriesName(s),
      });
    }
  }
}

function renderTable() {
  const column = COLUMNS.find((c) => c[0] === sortKey) || COLUMNS[0];
  const rows = [...lastSeries].sort((a, b) => {
    const va = column[2](a);
    const vb = column[2](b);
    if (va === vb) return 0;
    if (va === undefined || va === null) return 1;
    if (vb === undefined || vb === null) return -1;
    return (va < vb ? -1 : 1) * sortDir;
  });
  const head = el("tr", {}, COLUMNS.map(([key, label, , numeric]) => {
    const sorted = key === sortKey;
    return el("th", { scope: "col", class: numeric ? "num" : "", "aria-sort": sorted ? (sortDir > 0 ? "ascending" : "descending") : "none" },
      el("button", { type: "button", class: "sort", dataset: { key }, onclick: () => sortBy(key) },
        label, sorted ? (sortDir > 0 ? " ▲" : " ▼") : ""));
  }));
  const body = rows.map((s) => el("tr", { dataset: { series: seriesName(s) } }, COLUMNS.map(([key, , get, numeric], i) =>
    i === 0 ? el("th", { scope: "row", class: "mono" }, get(s))
      : el("td", { class: numeric ? "num" : "", dataset: { key } }, key === "pct" && get(s) !== null && get(s) !== undefined ? `${formatNumber(get(s), 2)} %` : formatNumber(get(s))))));
  const table = el("table", { class: "data", id: "delta-table" },
    el("caption", { class: "visually-hidden" }, "Per-series statistics and deltas (other minus base); column buttons sort"),
    el("thead", {}, head), el("tbody", {}, body));
  clear($("#delta-wrap")).append(table);
}

function sortBy(key) {
  if (key === sortKey) sortDir = -sortDir;
  else {
    sortKey = key;
    sortDir = 1;
  }
  renderTable();
  const button = document.querySelector(`#delta-table button[data-key="${key}"]`);
  if (button) button.focus();
}

function onlyList(label, items, id) {
  return el("section", { class: "panel", id, "aria-label": label }, el("h2", {}, `${label} (${(items || []).length})`),
    (items || []).length ? el("ul", { class: "plain mono" }, items.map((i) => el("li", {}, i))) : el("p", { class: "muted" }, "None"));
}

function specDiff(data) {
  const list = (label, items, id) => el("div", { id }, el("h3", {}, `${label} (${(items || []).length})`),
    (items || []).length ? el("ul", { class: "plain mono" }, items.map((i) => el("li", {}, typeof i === "string" ? i : JSON.stringify(i)))) : el("p", { class: "muted" }, "None"));
  const changed = data.nodes_changed || [];
  return el("section", { class: "panel", id: "spec-diff", "aria-labelledby": "spec-diff-heading" },
    el("h2", { id: "spec-diff-heading" }, "Model differences"),
    el("p", { id: "grid-changed" }, data.grid_changed ? "The grid changed." : "The grid is the same."),
    list("Nodes added", data.nodes_added, "nodes-added"),
    list("Nodes removed", data.nodes_removed, "nodes-removed"),
    el("div", { id: "nodes-changed" }, el("h3", {}, `Nodes changed (${changed.length})`),
      changed.length ? el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": "Nodes changed (scrolls)" }, nodeChanges(changed)) : el("p", { class: "muted" }, "None")));
}

function go(push = true) {
  const b = base.get();
  const o = other.get();
  if (!b || !o) {
    showError("Choose both artifacts first: type in each box and pick one from the list.");
    return;
  }
  const url = `/compare?base=${encodeURIComponent(b.id)}&other=${encodeURIComponent(o.id)}`;
  if (push) window.history.pushState(null, "", url);
  runCompare(b.id, o.id);
}

async function main() {
  base = picker({ input: $("#base-input"), list: $("#base-options"), chosen: $("#base-chosen") });
  other = picker({ input: $("#other-input"), list: $("#other-options"), chosen: $("#other-chosen") });
  $("#compare-form").addEventListener("submit", (event) => {
    event.preventDefault();
    go();
  });
  $("#swap").addEventListener("click", async () => {
    const b = base.get();
    const o = other.get();
    await Promise.all([base.set(o && o.id), other.set(b && b.id)]);
    if (b && o) go();
  });
  const fromUrl = async () => {
    const { base: b, other: o, ids, baseline } = readUrl();
    if (ids.length) {
      if (ids.length < 2 || ids.length > MAX_COMPARE) {
        showError(`Compare takes 2 to ${MAX_COMPARE} artifacts; this link names ${ids.length}.`);
        return;
      }
      const rerun = (chosen) => {
        window.history.pushState(null, "", `/compare?ids=${ids.map(encodeURIComponent).join(",")}&baseline=${encodeURIComponent(chosen)}`);
        compareMany(result, ids, chosen, rerun);
      };
      await compareMany(result, ids, baseline || ids[0], rerun);
      return;
    }
    await Promise.all([base.set(b), other.set(o)]);
    if (b && o) await runCompare(b, o);
    else clear(result);
  };
  window.addEventListener("popstate", fromUrl);
  await fromUrl();
}

startPage(main);
