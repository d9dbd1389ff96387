// Line charts with the vendored uPlot (loaded as a classic script: window.uPlot).
import { el, formatNumber } from "./common.js";

const PALETTE = ["#1d4ed8", "#c2410c", "#047857", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#be185d",
  "#4d7c0f", "#475569"];

export const colorAt = (i) => PALETTE[i % PALETTE.length];

function widthOf(container) {
  return Math.max(280, Math.floor(container.getBoundingClientRect().width || 600));
}

/**
 * Draw a line chart into `container`.
 * x: numbers (bin index, or seconds when `time` is true); series: [{label, values, color?, dash?}].
 * Returns the uPlot instance (or null when uPlot is unavailable, with a message in the container).
 */
export function lineChart(container, { x, series, time = false, xLabel = "bin", yLabel, height = 280, title, label }) {
  container.replaceChildren();
  container.classList.add("chart");
  if (typeof window.uPlot !== "function") {
    container.append(el("p", { class: "muted" }, "Charts are unavailable (the chart library did not load)."));
    return null;
  }
  const points = series.reduce((n, s) => n + s.values.filter((v) => v !== null && v !== undefined).length, 0);
  container.dataset.points = String(points);
  container.dataset.series = String(series.length);
  const name = title || label;
  container.dataset.xLabel = xLabel;
  container.dataset.yLabel = yLabel || "";
  const against = `against ${xLabel}${yLabel ? `, in ${yLabel}` : ""}`;
  if (name) container.setAttribute("aria-label", `${name}: line chart of ${series.map((s) => s.label).join(", ")} ${against}`);
  container.setAttribute("role", "img");
  const opts = {
    width: widthOf(container),
    height,
    title,
    scales: { x: { time } },
    // Grid times are UTC; show them so (not in the browser's zone).
    tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"),
    axes: [
      {
        label: xLabel, stroke: "#334155", grid: { stroke: "#e2e8f0" },
        incrs: time ? undefined : [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000],
      },
      { label: yLabel, stroke: "#334155", grid: { stroke: "#e2e8f0" }, values: (u, ticks) => ticks.map((t) => formatNumber(t, 2)) },
    ],
    series: [
      { label: xLabel, value: time ? undefined : (u, v) => (v === null || v === undefined ? "–" : formatNumber(v)) },
      ...series.map((s, i) => ({
        label: s.label,
        stroke: s.color || colorAt(i),
        width: 2,
        dash: s.dash,
        points: { show: s.values.length <= 60 },
        value: (u, v) => (v === null || v === undefined ? "–" : formatNumber(v)),
      })),
    ],
    legend: { live: true },
    // Show the last bin's values in the legend until the pointer moves over the plot.
    hooks: { ready: [(u) => { if (x.length) u.setLegend({ idx: x.length - 1 }); }] },
    cursor: { focus: { prox: 16 } },
  };
  const data = [x, ...series.map((s) => s.values.map((v) => (v === undefined ? null : v)))];
  const chart = new window.uPlot(opts, data, container);
  // What the chart shows, for its PNG and CSV downloads.
  container.chartView = { chart, time, xLabel, labels: series.map((s) => s.label), data };
  const resize = () => {
    const width = widthOf(container);
    if (width !== chart.width) chart.setSize({ width, height });
  };
  if (window.ResizeObserver) new ResizeObserver(resize).observe(container);
  return chart;
}

/** Parse a `t,value` CSV (a header line first) into {x, values}. */
export function parseSeriesCsv(text) {
  const x = [];
  const values = [];
  const lines = text.split(/\r?\n/).filter((line) => line.trim());
  for (const line of lines.slice(1)) {
    const [t, v] = line.split(",");
    const tn = Number(t);
    x.push(Number.isFinite(tn) ? tn : x.length);
    const vn = Number(v);
    values.push(v === undefined || v.trim() === "" || !Number.isFinite(vn) ? null : vn);
  }
  return { x, values };
}
