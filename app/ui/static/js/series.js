// The results of a run or telemetry artifact: a chart on the grid's real time, a filterable series picker,
// and PNG/CSV downloads of what the chart shows.
import { api, apiText, endpoints } from "./api.js";
import { lineChart, parseSeriesCsv } from "./chart.js";
import { downloadCsv, downloadPng, runAxis, telemetryAxis } from "./timeaxis.js";
import { el, formatDate, formatNumber, showError } from "./common.js";

const MAX_DEFAULT_SERIES = 4;
const FILTER_FROM = 8;  // from this many series on, the picker has a filter box

function seriesPicker(ids, onChange) {
  const box = el("fieldset", { class: "series-picker" }, el("legend", {}, `Series to show (${ids.length})`));
  const list = el("div", { class: "series-list" });
  ids.forEach((id, i) => {
    const inputId = `series-${i}`;
    list.append(el("label", { for: inputId, class: "check", dataset: { series: id.toLowerCase() } },
      el("input", { type: "checkbox", id: inputId, value: id, checked: i < MAX_DEFAULT_SERIES, onchange: onChange }), ` ${id}`));
  });
  if (ids.length >= FILTER_FROM) {
    const count = el("span", { class: "muted", role: "status" });
    const filter = el("input", {
      type: "search", id: "series-filter", autocomplete: "off", placeholder: "Filter series by name",
      "aria-label": "Filter series by name",
      oninput: () => {
        const words = filter.value.trim().toLowerCase();
        let shown = 0;
        for (const label of list.children) {
          label.hidden = Boolean(words) && !label.dataset.series.includes(words);
          if (!label.hidden) shown += 1;
        }
        count.textContent = words ? `${shown} of ${ids.length} match` : "";
      },
    });
    box.append(el("div", { class: "series-filter" }, filter, count));
  }
  box.append(list);
  return box;
}

const chosenSeries = (picker) => [...picker.querySelectorAll("input:checked")].map((input) => input.value);

function downloads(chartBox, name) {
  return el("div", { class: "actions chart-actions", role: "group", "aria-label": "Chart downloads" },
    el("button", { type: "button", class: "secondary", id: "chart-png", onclick: () => downloadPng(chartBox, name) }, "Download PNG"),
    el("button", { type: "button", class: "secondary", id: "chart-csv", onclick: () => downloadCsv(chartBox, name) }, "Download CSV"));
}

/** The Series section of a run: the chart first, then the picker. */
export function runChartSection(artifact) {
  const ids = (artifact.metadata && artifact.metadata.series) || [];
  const section = el("section", { class: "panel", "aria-labelledby": "chart-heading", id: "series-section" },
    el("h2", { id: "chart-heading" }, "Series"));
  if (!ids.length) {
    section.append(el("p", { class: "muted" }, "This run has no series."));
    return section;
  }
  const chartBox = el("div", { id: "series-chart" }, el("p", { class: "muted loading" }, "Loading the chart…"));
  const status = el("p", { class: "muted", role: "status" });
  const cache = new Map();
  let axisPromise = null;
  const axis = () => {
    axisPromise ||= runAxis(artifact, () => apiText(endpoints.file(artifact.id, "spec.yaml")),
      () => api(endpoints.seriesIndex(artifact.id)));
    return axisPromise;
  };
  const draw = async () => {
    const chosen = chosenSeries(picker);
    if (!chosen.length) {
      chartBox.replaceChildren(el("p", { class: "muted" }, "Choose at least one series."));
      return;
    }
    status.textContent = "Loading series…";
    chartBox.setAttribute("aria-busy", "true");
    try {
      const [time, parsed] = await Promise.all([axis(), Promise.all(chosen.map(async (id) => {
        if (!cache.has(id)) cache.set(id, parseSeriesCsv(await apiText(endpoints.series(artifact.id, id))));
        return cache.get(id);
      }))]);
      const bins = Math.max(...parsed.map((p) => p.values.length));
      lineChart(chartBox, {
        ...time.axis(bins),
        yLabel: time.unitOf(chosen),
        series: parsed.map((p, i) => ({ label: chosen[i], values: Array.from({ length: bins }, (_, j) => p.values[j] ?? null) })),
        title: artifact.title,
      });
      status.textContent = `${chosen.length} of ${ids.length} series, ${bins} bins${time.note ? `, ${time.note}` : ""}.`;
    } catch (err) {
      status.textContent = "";
      chartBox.replaceChildren(el("p", { class: "muted" }, "The series could not be loaded."));
      showError(err, "Loading series");
    } finally {
      chartBox.removeAttribute("aria-busy");
    }
  };
  const picker = seriesPicker(ids, draw);
  section.append(chartBox, status, downloads(chartBox, artifact.title || artifact.id), picker);
  requestAnimationFrame(draw);
  return section;
}

function catalogTable(series) {
  return el("div", { class: "table-wrap bounded", tabindex: "0", role: "region", "aria-label": "Series of this telemetry (scrolls)" }, el("table", { class: "data", id: "catalog-table" },
    el("caption", { class: "visually-hidden" }, "Series of this telemetry file"),
    el("thead", {}, el("tr", {}, ["Series", "Measure", "Component", "Points", "Min", "Mean", "Max"].map((h, i) =>
      el("th", { scope: "col", class: i >= 3 ? "num" : "" }, h)))),
    el("tbody", {}, series.map((s) => el("tr", {},
      el("td", { class: "mono" }, s.id), el("td", {}, s.measure), el("td", {}, s.component_id || "–"),
      el("td", { class: "num" }, formatNumber(s.points)), el("td", { class: "num" }, formatNumber(s.min)),
      el("td", { class: "num" }, formatNumber(s.mean)), el("td", { class: "num" }, formatNumber(s.max)))))));
}

/** The Catalog section of a telemetry artifact: facts, the values chart on the file's time column, the series table. */
export async function telemetrySection(artifact) {
  const section = el("section", { class: "panel", "aria-labelledby": "catalog-heading", id: "catalog-section" },
    el("h2", { id: "catalog-heading" }, "Catalog"));
  const hasCatalog = (artifact.file_details || []).some((f) => f.name === "catalog.json");
  if (!hasCatalog) {
    section.append(el("p", { class: "muted" }, "No catalog.json in this artifact."));
    return section;
  }
  let catalog;
  try {
    catalog = await api(endpoints.file(artifact.id, "catalog.json"));
  } catch (err) {
    showError(err, "Loading the catalog");
    section.append(el("p", { class: "muted" }, "The catalog could not be loaded."));
    return section;
  }
  const facts = [`format ${catalog.format || "?"}`, `shape ${catalog.shape || "?"}`, `${formatNumber(catalog.rows)} rows`];
  if (catalog.bin_minutes) facts.push(`${catalog.bin_minutes}-minute bins`);
  if (catalog.time_range) facts.push(`${formatDate(catalog.time_range.start)} – ${formatDate(catalog.time_range.end)}`);
  section.append(el("p", {}, facts.join(" · ")));
  const series = catalog.series || [];
  if (!series.length) {
    section.append(el("p", { class: "muted" }, "The catalog lists no series."));
    return section;
  }
  // Values come from comparing the artifact with itself (the API returns them per series).
  const chartBox = el("div", { id: "series-chart" }, el("p", { class: "muted loading" }, "Loading values…"));
  const status = el("p", { class: "muted", role: "status" }, "Loading values…");
  let compared = null;
  const time = telemetryAxis(catalog);
  const draw = () => {
    const chosen = chosenSeries(picker);
    if (!compared) return;
    const matched = compared.series.filter((s) => chosen.includes(`${s.measure}@${s.component_id}`) || chosen.includes(s.measure));
    if (!matched.length) {
      chartBox.replaceChildren(el("p", { class: "muted" }, "Choose at least one series."));
      return;
    }
    const length = Math.max(...matched.map((s) => s.values.base.length));
    lineChart(chartBox, {
      ...time.axis(length),
      series: matched.map((s) => ({ label: `${s.measure}@${s.component_id}`, values: s.values.base })),
      title: artifact.title,
    });
    status.textContent = `${matched.length} of ${series.length} series, ${length} bins${time.note ? `, ${time.note}` : ""}.`;
  };
  const picker = seriesPicker(series.map((s) => s.id), draw);
  section.append(el("h3", {}, "Values"), chartBox, status, downloads(chartBox, artifact.title || artifact.id), picker,
    el("h3", {}, "Series"), catalogTable(series));
  api(endpoints.compare(artifact.id), { method: "POST", json: { other: artifact.id, include_values: true } })
    .then((result) => {
      compared = result;
      draw();
    })
    .catch((err) => {
      status.textContent = "Values unavailable.";
      chartBox.replaceChildren(el("p", { class: "muted" }, "The values could not be loaded."));
      showError(err, "Loading telemetry values");
    });
  return section;
}
